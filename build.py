#!/usr/bin/env python3
"""Thin entry point: `python build.py COMMAND` runs the advocate-catalog CLI.

`python -m build` from the repository root finds this file before PyPA's `build` package (the
current folder comes first on the module path); it then hands over to that package, so the wheel
builds from the root as anywhere else.
"""

import runpy
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent

if __spec__ is not None and __spec__.name == "build":  # run as `python -m build`
    sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]
    sys.modules.pop("build", None)
    runpy.run_module("build", run_name="__main__", alter_sys=True)
    raise SystemExit(0)

sys.path.insert(0, str(HERE / "src"))

from advocate_catalog.cli import main  # noqa: E402

if __name__ == "__main__":
    main()
