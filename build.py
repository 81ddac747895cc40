#!/usr/bin/env python3
"""Thin entry point: `python build.py COMMAND` runs the advocate-catalog CLI."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent / "src"))

from advocate_catalog.cli import main

if __name__ == "__main__":
    main()
