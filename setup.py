"""Build hook: the wheel carries the repository's templates/ and schemas/ as the package's defaults.

They stay at the repository root (the root is itself a data repository, the sample catalog) and are
copied into `advocate_catalog/defaults/` only when a wheel is built: one source of truth. An
editable install reads them in place (see src/advocate_catalog/layers.py).
"""

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent


class BuildWithDefaults(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for kind in ("templates", "schemas"):
            target = Path(self.build_lib) / "advocate_catalog" / "defaults" / kind
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / kind, target, symlinks=False)


setup(cmdclass={"build_py": BuildWithDefaults})
