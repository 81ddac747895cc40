"""A nomination's life: written from answers, then promoted into an advocate profile with its history."""

from __future__ import annotations

import datetime as dt
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from . import git
from .activity import append_entry, limit_issues
from .errors import CatalogError, InvalidData, Issue
from .load import parse, read, to_yaml
from .model import Advocate, Config, fold
from .validate import check_document, compile_schemas, load_config

# Field order of a written nomination and of a promoted profile: the order people read them in.
NOMINATION_ORDER = ("id", "name", "title", "persona", "function", "company", "products", "nominated_by",
                    "nominated_on", "owner", "reason", "story", "outcomes", "willingness", "private")
ADVOCATE_ORDER = ("id", "name", "title", "persona", "function", "company", "products", "story", "outcomes",
                  "willingness", "owner", "status", "last_verified", "nomination", "private")


@dataclass(frozen=True)
class Question:
    """One thing a nominator is asked, wherever they nominate: CLI, issue form, site form."""

    key: str
    label: str
    vocabulary: str | None = None  # a taxonomy list, or "owners"
    required: bool = True
    multiple: bool = False
    long: bool = False
    help: str = ""


QUESTIONS = (
    Question("name", "Full name of the customer", help="As they like it written."),
    Question("title", "Their job title"),
    Question("persona", "Persona", "personas"),
    Question("function", "Job function", "functions", required=False),
    Question("company", "Company name"),
    Question("industry", "Industry", "industries"),
    Question("size", "Company size", "company_sizes"),
    Question("region", "Region", "regions"),
    Question("country", "Country code", help="ISO 3166-1 alpha-2, e.g. NO, DE, US."),
    Question("products", "Products they use", "products", multiple=True),
    Question("owner", "Owner who will hold the relationship", "owners"),
    Question("reason", "Why would they make a good advocate?", long=True,
             help="Their results, their enthusiasm, what they could speak to."),
    Question("story", "Their story so far (optional)", required=False, long=True,
             help="Markdown welcome: the challenge, what they did, the results."),
)
COMPANY_KEYS = ("company", "industry", "size", "region", "country")


def choices(config: Config, question: Question) -> list[tuple[str, str]]:
    """(id, label) pairs a question offers, in the configured order."""
    if question.vocabulary == "owners":
        return [(o.id, o.name) for o in config.owners.values()]
    return [(t.id, t.label) for t in config.vocabularies[question.vocabulary or ""]]


def nomination_from_answers(answers: dict[str, Any]) -> dict[str, Any]:
    """Flat answers (as asked) → nomination data (company nested, products a list)."""
    data = {key: value for key, value in answers.items() if key not in COMPANY_KEYS}
    data["company"] = {"name": answers.get("company"), "industry": answers.get("industry"),
                       "size": answers.get("size"), "region": answers.get("region"),
                       "country": str(answers.get("country") or "").strip().upper()}
    if isinstance(data.get("products"), str):
        data["products"] = [p.strip() for p in data["products"].split(",") if p.strip()]
    return data


def slugify(text: str) -> str:
    """`Zoë Bø Łukasz` → `zoe-bo-lukasz`: the id and file name for a person ('' for other scripts)."""
    return re.sub(r"[^a-z0-9]+", "-", fold(text)).strip("-")


def _ordered(data: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    return {key: data[key] for key in order if key in data and data[key] not in (None, "", [], {})}


def _check(root: Path, text: str, display: str, kind: str, today: dt.date) -> list[Issue]:
    """The issues `validate` would report for `text` saved as `display`."""
    config, issues = load_config(root)
    if config is None:
        return issues
    schemas = compile_schemas(root, config)
    validator = schemas.nomination if kind == "nomination" else schemas.advocate
    return check_document(parse(text, display), Path(display).stem, validator, today).issues


def write_new(target: Path, text: str) -> None:
    """Create `target` with `text`; never replaces an existing file (exclusive create)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    try:
        with target.open("x", encoding="utf-8") as handle:
            handle.write(text)
    except FileExistsError:
        raise CatalogError(f"{target.name} already exists — pick another id; nothing was "
                           "overwritten") from None


def create(root: Path, answers: dict[str, Any], today: dt.date) -> Path:
    """Write a new nomination from `answers`; InvalidData (and no file) when they do not validate."""
    data = dict(answers)
    data.setdefault("nominated_on", today.isoformat())
    data["id"] = data.get("id") or slugify(str(data.get("name", "")))
    if not data["id"]:
        raise CatalogError("cannot make an id from this name — give one in Latin letters with --id, "
                           "e.g. --id sato-haruka")
    display = f"nominations/{data['id']}.yaml"
    text = to_yaml(_ordered(data, NOMINATION_ORDER))
    issues = _check(root, text, display, "nomination", today)
    if issues:
        raise InvalidData(issues)
    target = root / "nominations" / f"{data['id']}.yaml"
    if (root / "advocates" / target.name).exists():
        raise CatalogError(f"advocates/{target.name} already exists: this person is already an "
                           "advocate — update that profile instead")
    write_new(target, text)
    return target


@dataclass(frozen=True)
class Promotion:
    source: str
    target: str
    moved_with_git: bool


def to_advocate(nomination: dict[str, Any], today: dt.date) -> dict[str, Any]:
    """Every field the nomination carries, status nominated, provenance in `nomination:`."""
    data = {key: value for key, value in nomination.items()
            if key not in ("nominated_by", "nominated_on", "reason")}
    data.update(status="nominated", last_verified=today.isoformat(), nomination=_ordered({
        "nominated_by": nomination["nominated_by"], "nominated_on": nomination["nominated_on"],
        "reason": nomination.get("reason")}, ("nominated_by", "nominated_on", "reason")))
    return _ordered(data, ADVOCATE_ORDER)


def promote(root: Path, nomination_file: str, today: dt.date) -> Promotion:
    """Turn a nomination into `advocates/<id>.yaml`, moving the file so its history follows.

    Everything is checked before anything is touched; on any failure both files stay as they were.
    """
    given = root / nomination_file
    # Checked before resolving: a resolved path is never a link, so the check must see the path given.
    if given.is_symlink() or (root / "nominations").is_symlink():
        raise CatalogError(f"{nomination_file} is, or is inside, a symbolic link — nothing was "
                           "changed; put the nomination file itself in nominations/ and promote it")
    source = given.resolve()
    nominations = (root / "nominations").resolve()
    if source.parent != nominations or source.suffix != ".yaml":
        raise CatalogError(f"{nomination_file} is not a file in nominations/ — give the path of a "
                           "nomination, e.g. nominations/jane-doe.yaml")
    display = f"nominations/{source.name}"
    doc = read(source, display)
    issues = doc.issues or _check(root, source.read_text(encoding="utf-8"), display, "nomination",
                                  today)
    if issues:
        raise InvalidData(issues)
    target = root / "advocates" / source.name
    relative_target = f"advocates/{source.name}"
    if target.is_symlink() or (root / "advocates").is_symlink():
        raise CatalogError(f"{relative_target} is, or is inside, a symbolic link — nothing was "
                           "changed; remove the link, then promote again")
    if target.exists():
        raise CatalogError(f"{relative_target} already exists — nothing was changed; merge the "
                           "nomination into that profile by hand")
    text = to_yaml(to_advocate(doc.data, today))
    problems = _check(root, text, relative_target, "advocate", today)
    if problems:  # our own conversion produced an invalid profile: a bug, not the user's data
        raise CatalogError(f"the promoted profile would be invalid ({problems[0]}) — nothing was "
                           "changed; please report this")
    use_git = git.is_repository(root) and git.is_tracked(root, display)
    if not use_git:
        write_new(target, text)
        source.unlink()
        return Promotion(display, relative_target, False)
    git.move(root, display, relative_target)
    try:
        _replace_text(target, text)
    except OSError:
        git.move(root, relative_target, display)
        raise
    return Promotion(display, relative_target, True)


def _replace_text(target: Path, text: str) -> None:
    """Write through a temporary file and a rename, so the file is never half-written."""
    handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".promote-", suffix=".yaml")
    try:
        with os.fdopen(handle, "w", encoding="utf-8") as stream:
            stream.write(text)
        os.replace(temporary, target)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def log_activity(root: Path, advocate_id: str, entry: dict[str, Any],
                 today: dt.date) -> tuple[Path, list[Issue]]:
    """Append an activity to `advocates/<id>.yaml`; nothing is written unless the result is valid.

    Returns the file and the burnout-limit warnings of that profile after the change.
    """
    if not re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", advocate_id):
        raise CatalogError(f"'{advocate_id}' is not an advocate id — use the file name without .yaml")
    path = root / "advocates" / f"{advocate_id}.yaml"
    if not path.is_file() or path.is_symlink():
        raise CatalogError(f"advocates/{advocate_id}.yaml does not exist — check the id")
    before = path.read_text(encoding="utf-8")
    after = append_entry(before, {k: v for k, v in entry.items() if v not in (None, "")})
    display = f"advocates/{path.name}"
    issues = [i for i in _check(root, after, display, "advocate", today) if i.severity == "error"]
    if issues:
        raise InvalidData(issues)
    doc = parse(after, display)
    added = doc.data.get("activity", [])
    if not added or added[-1].get("opportunity") != entry.get("opportunity"):
        raise CatalogError(f"could not add the entry to {display} automatically — add it by hand")
    _replace_text(path, after)
    config, config_issues = load_config(root)
    if config is None:
        raise InvalidData(config_issues)
    return path, limit_issues(Advocate.from_document(display, doc.data, doc.positions), config.limits)
