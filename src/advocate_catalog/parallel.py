"""Work spread over the machine's cores by forked processes, when there is enough of it.

Forked workers inherit what the parent has loaded (compiled schemas, templates, the catalog), so
nothing big is sent to them; they are worth starting only past a few hundred items.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import gc
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
            batch: int, per_process: int | None = None) -> Iterator[Callable[[], Iterator[Result]]]:
    """Apply `function` to batches of `items`: in forked workers from `smallest` items on (the
    work starts at once and the caller goes on), else in this process when the results are
    asked for. Yields the function that returns the results in order, each as its batch is done.

    With `per_process`, no worker handles more than about that many items: fresh workers take
    over, round after round, so memory a library never gives back (cmark-gfm keeps ~27 KB per
    story it renders) goes with the worker that held it."""
    workers = cores()
    if workers < 2 or len(items) < smallest or "fork" not in mp.get_all_start_methods():
        yield lambda: iter([function(items)])
        return
    size = max(batch, len(items) // (workers * 8))
    if per_process is not None:
        size = min(size, max(batch, per_process))
    batches = [items[i:i + size] for i in range(0, len(items), size)]
    per_round = len(batches) if per_process is None else workers * max(1, per_process // size)
    rounds = [batches[i:i + per_round] for i in range(0, len(batches), per_round)]
    context = mp.get_context("fork")
    with ProcessPoolExecutor(workers, mp_context=context) as pool:
        first: Any = pool.map(function, rounds[0])  # submitted now, collected when asked

        def results() -> Iterator[Result]:
            yield from first
            pool.shutdown()  # its workers leave before the next round's start
            for later in rounds[1:]:
                with ProcessPoolExecutor(workers, mp_context=context) as fresh:
                    yield from fresh.map(function, later)

        yield results


def give_back_memory() -> None:
    """Collect what was let go and hand the freed pages back to the system. Python keeps freed
    memory for reuse, so a process that held a large catalog stays that large until the C
    library trims its heap (glibc's malloc_trim; elsewhere only the collection happens)."""
    gc.collect()
    name = ctypes.util.find_library("c")
    try:
        trim = ctypes.CDLL(name).malloc_trim if name else None
    except (OSError, AttributeError):
        trim = None
    if trim is not None:
        trim(0)
