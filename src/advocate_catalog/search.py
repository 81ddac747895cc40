"""Index a rendered site with Pagefind, the binary shipped by the pagefind-bin wheel."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from .errors import BuildError


def index(site: Path) -> None:
    """Write the Pagefind bundle into `site/pagefind/`; raise BuildError with Pagefind's message."""
    # The CLI indexes a whole folder in one process; the Python API answers one call per page at
    # about ten calls a second, which is far slower beyond a few dozen pages.
    command = [sys.executable, "-m", "pagefind", "--site", str(site), "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, text=True, timeout=1800, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BuildError(f"Pagefind could not run ({error}) — reinstall with "
                         "`python -m pip install -e .`") from None
    if done.returncode != 0:
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise BuildError(f"Pagefind failed: {last[0]} — run `python -m pagefind --site "
                         f"{site}` to see its full output")
