"""Work spread over the machine's cores by forked processes, when there is enough of it.

Forked workers inherit what the parent has loaded (compiled schemas, templates, the catalog), so
nothing big is sent to them; they are worth starting only past a few hundred items.
"""

from __future__ import annotations

import multiprocessing as mp
import os
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager
from typing import Any, TypeVar

Item = TypeVar("Item")
Result = TypeVar("Result")


def cores() -> int:
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1


@contextmanager
def mapping(function: Callable[[list[Item]], Result], items: list[Item], *, smallest: int,
            batch: int) -> Iterator[Callable[[], Iterator[Result]]]:
    """Apply `function` to batches of `items`: in forked workers from `smallest` items on (the
    work starts at once and the caller goes on), else in this process when the results are
    asked for. Yields the function that returns the results in order, each as its batch is done."""
    workers = cores()
    if workers < 2 or len(items) < smallest or "fork" not in mp.get_all_start_methods():
        yield lambda: iter([function(items)])
        return
    size = max(batch, len(items) // (workers * 8))
    batches = [items[i:i + size] for i in range(0, len(items), size)]
    with ProcessPoolExecutor(workers, mp_context=mp.get_context("fork")) as pool:
        results: Any = pool.map(function, batches)  # submitted now, collected when asked
        yield lambda: iter(results)
