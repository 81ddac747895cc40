"""The few git operations the catalog needs, with paths relative to the catalog's root."""

from __future__ import annotations

import subprocess
from pathlib import Path

from .errors import GitError


def git(root: Path, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    try:
        done = subprocess.run(["git", *args], cwd=root, capture_output=True, text=True, check=False)
    except OSError as error:
        raise GitError(f"git could not run ({error.strerror}) — install git") from None
    if check and done.returncode != 0:
        message = (done.stderr.strip().splitlines() or ["no output"])[-1]
        raise GitError(f"git {args[0]} failed: {message}")
    return done


def is_repository(root: Path) -> bool:
    return git(root, "rev-parse", "--is-inside-work-tree", check=False).stdout.strip() == "true"


def is_shallow(root: Path) -> bool:
    return git(root, "rev-parse", "--is-shallow-repository", check=False).stdout.strip() == "true"


def resolve(root: Path, ref: str) -> str:
    """The commit a ref names; a clear error when it does not exist (e.g. a shallow clone)."""
    done = git(root, "rev-parse", "--verify", "--quiet", f"{ref}^{{commit}}", check=False)
    if done.returncode != 0:
        raise GitError(f"'{ref}' is not a commit in this repository — fetch it first "
                       "(in CI: actions/checkout with fetch-depth: 0)")
    return done.stdout.strip()


def changed_files(root: Path, base: str) -> set[str]:
    """Files added or modified since `base`, in commits, the work tree or untracked."""
    commit = resolve(root, base)
    changed = git(root, "diff", "--name-only", "--relative", "--diff-filter=ACMR", commit).stdout
    untracked = git(root, "ls-files", "--others", "--exclude-standard").stdout
    return {line for line in (changed + untracked).splitlines() if line}


def files_at(root: Path, ref: str, folder: str) -> dict[str, str]:
    """{path: text} of the YAML files in `folder` at `ref` (paths relative to root)."""
    commit = resolve(root, ref)
    listing = git(root, "ls-tree", "--name-only", f"{commit}:./{folder}", check=False)
    if listing.returncode != 0:
        return {}
    result = {}
    for name in listing.stdout.splitlines():
        if name.endswith(".yaml"):
            result[f"{folder}/{name}"] = git(root, "show", f"{commit}:./{folder}/{name}").stdout
    return result


def move(root: Path, source: str, target: str) -> None:
    git(root, "mv", "--", source, target)


def is_tracked(root: Path, path: str) -> bool:
    return git(root, "ls-files", "--error-unmatch", "--", path, check=False).returncode == 0
