"""Build hook: the wheel carries the repository's templates/ and schemas/ as the package's defaults
(and, for `init`, the data workflows, the pull request template, requirements/runtime.txt and
build.txt, and the commit the wheel is built from).

They stay at the repository root (the root is itself a data repository, the sample catalog) and are
copied into `advocate_catalog/defaults/` only when a wheel is built: one source of truth. An
editable install reads them in place (see src/advocate_catalog/layers.py).
"""

import json
import shutil
import subprocess
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
# The same list as advocate_catalog.scaffold.WORKFLOWS (a test keeps them equal).
WORKFLOWS = ("validate.yml", "deploy.yml", "freshness.yml", "nominate.yml", "request.yml", "verify.yml",
             "digest.yml")


class BuildWithDefaults(build_py):
    def run(self) -> None:
        super().run()
        if getattr(self, "editable_mode", False):
            return
        for kind in ("templates", "schemas"):
            target = Path(self.build_lib) / "advocate_catalog" / "defaults" / kind
            shutil.rmtree(target, ignore_errors=True)
            shutil.copytree(ROOT / kind, target, symlinks=False)
        # What `init` adapts for a data repository (scaffold.py): the data workflows, the PR template.
        github = Path(self.build_lib) / "advocate_catalog" / "defaults" / "github"
        shutil.rmtree(github, ignore_errors=True)
        (github / "workflows").mkdir(parents=True)
        for name in WORKFLOWS:
            shutil.copy(ROOT / ".github" / "workflows" / name, github / "workflows" / name)
        shutil.copy(ROOT / ".github" / "pull_request_template.md", github / "pull_request_template.md")
        # The hashed lock a data repository's workflows install the dependencies from (scaffold.lock).
        requirements = Path(self.build_lib) / "advocate_catalog" / "defaults" / "requirements"
        shutil.rmtree(requirements, ignore_errors=True)
        requirements.mkdir(parents=True)
        for name in ("runtime.txt", "build.txt"):
            shutil.copy(ROOT / "requirements" / name, requirements / name)
        # The commit this wheel is built from: what a data repository installs by default (scaffold).
        (Path(self.build_lib) / "advocate_catalog" / "defaults" / "build.json").write_text(
            json.dumps({"commit": _commit()}) + "\n", encoding="utf-8")


def _commit() -> str | None:
    """HEAD of the checkout being built, or None (an sdist has no .git)."""
    if not (ROOT / ".git").exists():
        return None
    found = subprocess.run(["git", "-C", str(ROOT), "rev-parse", "HEAD"], capture_output=True, text=True,
                           check=False)
    return found.stdout.strip() if found.returncode == 0 else None


setup(cmdclass={"build_py": BuildWithDefaults})
