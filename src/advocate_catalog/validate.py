"""Check every file against its schema, the taxonomy and the cross-file rules; collect all issues."""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import json
import os
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import layers, parallel, theme
from .activity import limit_issues, log
from .coverage import DIMENSIONS, Target, targets_from
from .errors import InvalidData, Issue
from .load import MAX_FILE_BYTES, Document, JsonPath, read, read_regular
from .model import VOCABULARIES, Advocate, Catalog, Config, Nomination, Record, fold
from .overrides import stale_variable_issues
from .recognition import gift_issues, recognition_issues
from .report import FINAL, is_deal, opportunity_key

if TYPE_CHECKING:  # the validators load on first use: `build` with nothing to do never needs them
    import jsonschema
    import jsonschema_rs

CONFIG_FILE = "catalog.yaml"
# Where `upgrade` (and `init`) put the schemas for editors, vocabularies inlined.
EDITOR_SCHEMAS = ".schemas"
SLUG = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")

# Schema $defs whose allowed values come from catalog.yaml, and where.
VOCABULARY_DEFS = {
    "industry": "industries", "region": "regions", "company_size": "company_sizes",
    "product": "products", "persona": "personas", "function": "functions", "activity": "activities",
    "consent_scope": "consent_scopes", "recognition_kind": "recognition_kinds",
}

_TYPE_NAMES = {
    "object": "a mapping of `key: value` lines", "array": "a list of `- item` lines",
    "string": "text", "integer": "a whole number", "number": "a number",
    "boolean": "true or false", "null": "empty",
}


def _kind(value: Any) -> str:
    if value is None:
        return "empty"
    if isinstance(value, bool):
        return "true/false"
    return {dict: "a mapping", list: "a list", str: "text", int: "a number",
            float: "a number"}.get(type(value), type(value).__name__)


def _show(value: Any, limit: int = 60) -> str:
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False, default=str)
    text = text.replace("\n", "⏎")
    return f"'{text[:limit]}…'" if len(text) > limit else f"'{text}'"


def field_name(path: JsonPath) -> str:
    """`company.region`, `quotes[1].text`: a path as people read it."""
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out or "the file"


def _did_you_mean(allowed: list[str], value: Any) -> str:
    text = str(value)
    close = difflib.get_close_matches(text, allowed, n=1, cutoff=0.6)
    close = close or [a for a in allowed if text and a.startswith(text.lower())][:1]
    return f"did you mean '{close[0]}'?" if close else ""


def _one_of(allowed: list[str], value: Any) -> str:
    listed = ", ".join(allowed)
    close = _did_you_mean(allowed, value)
    return f"{close} Allowed: {listed}" if close else f"use one of: {listed}"


@dataclass
class Checker:
    """One draft 2020-12 schema, twice: jsonschema-rs (native code) passes valid files quickly, and
    python-jsonschema explains, with paths and keywords, what is wrong in the few that fail."""

    explain: jsonschema.protocols.Validator
    fast: jsonschema_rs.Validator

    def passes(self, data: Any) -> bool:
        try:
            return self.fast.is_valid(data)
        except ValueError:  # a value JSON cannot hold (a lone surrogate): let `explain` judge it
            return False

    def issues(self, doc: Document) -> list[Issue]:
        return [] if self.passes(doc.data) else schema_issues(doc, self.explain)


@dataclass
class Schemas:
    """Checkers built once, with the taxonomy's ids filled into the schemas' `$defs`."""

    advocate: Checker
    nomination: Checker


# A `$` outside a character class or an escape: the end of the text in JSON Schema's regexes
# (ECMA-262) and in jsonschema-rs, while Python's `$` also matches before a final newline.
_DOLLAR = re.compile(r"\\.|\[(?:\\.|[^\]\\])*\]|\$", re.DOTALL)


@cache
def _ecma_regex(pattern: str) -> re.Pattern[str]:
    return re.compile(_DOLLAR.sub(lambda m: r"\Z" if m.group() == "$" else m.group(), pattern))


def _pattern(validator: Any, pattern: str, instance: Any, schema: Any) -> Iterator[Any]:
    """python-jsonschema's `pattern`, with `$` meaning what it means to jsonschema-rs: a one-line
    field's text followed by a newline is refused by both."""
    import jsonschema

    if validator.is_type(instance, "string") and not _ecma_regex(pattern).search(instance):
        yield jsonschema.ValidationError(f"{instance!r} does not match {pattern!r}")


@cache
def _explaining() -> type[jsonschema.protocols.Validator]:
    import jsonschema

    return jsonschema.validators.extend(jsonschema.Draft202012Validator, {"pattern": _pattern})


def _read_schema(root: Path, name: str) -> dict[str, Any]:
    return json.loads(layers.find(root, "schemas", name).read_text(encoding="utf-8"))


def file_validator(root: Path, name: str) -> jsonschema.protocols.Validator:
    """The explaining validator of one schema that needs no vocabulary (config, targets, mapping)."""
    import jsonschema

    return _explaining()(_read_schema(root, name), format_checker=jsonschema.FormatChecker(["date"]))


def _fill(definition: dict[str, Any], config: Config, vocabulary: str) -> None:
    """Close a free-text field to the ids of one of catalog.yaml's lists; labels go along as
    the descriptions editors show beside each completion."""
    if vocabulary == "owners":
        terms = [(owner.id, owner.name) for owner in config.owners.values()]
        definition["x-vocabulary"] = "owners"
    else:
        terms = [(term.id, term.label) for term in config.vocabularies[vocabulary]]
        definition["x-vocabulary"] = ("recognition.kinds" if vocabulary == "recognition_kinds"
                                      else f"taxonomy.{vocabulary}")
    definition["enum"] = [term_id for term_id, _ in terms]
    definition["enumDescriptions"] = [label for _, label in terms]


def filled_schemas(root: Path, config: Config) -> dict[str, dict[str, Any]]:
    """Every schema by file name, with the vocabularies of `config` inlined as enums."""
    advocate = copy.deepcopy(_read_schema(root, "advocate.schema.json"))
    for definition, vocabulary in {**VOCABULARY_DEFS, "owner": "owners"}.items():
        # A data repository's own copy of the schema may predate a vocabulary (recognition
        # kinds came later): what it does not define, it does not allow, so nothing to fill.
        if definition in advocate.get("$defs", {}):
            _fill(advocate["$defs"][definition], config, vocabulary)
    targets = copy.deepcopy(_read_schema(root, "targets.schema.json"))
    fields = targets["properties"]["targets"]["items"]["properties"]
    for definition in DIMENSIONS:
        if definition in fields:  # as for the advocate schema: an older copy may lack `activity`
            _fill(fields[definition], config, VOCABULARY_DEFS[definition])
    return {"advocate.schema.json": advocate,
            "nomination.schema.json": _read_schema(root, "nomination.schema.json"),
            "config.schema.json": _read_schema(root, "config.schema.json"),
            "targets.schema.json": targets}


def exported(filled: dict[str, dict[str, Any]]) -> dict[str, str]:
    """Filled schemas as editors and check-jsonschema read them from a folder: no `$id`, so the
    nomination schema's relative `$ref` finds the advocate schema beside it instead of a host
    that serves nothing."""
    return {name: json.dumps({key: value for key, value in schema.items() if key != "$id"},
                             indent=2, ensure_ascii=False) + "\n"
            for name, schema in filled.items()}


def editor_schemas(root: Path, config: Config) -> dict[str, str]:
    """The schemas for editors, vocabularies inlined (what `schema` and `upgrade` write)."""
    return exported(filled_schemas(root, config))


def editor_schema_issues(root: Path, filled: dict[str, dict[str, Any]]) -> list[Issue]:
    """A warning per exported schema that no longer matches catalog.yaml and the installed tool:
    an editor would complete values `validate` refuses, or flag ones it accepts."""
    folder = root / EDITOR_SCHEMAS
    if not folder.is_dir() or folder.is_symlink():
        return []
    issues = []
    for name, text in exported(filled).items():
        path = folder / name
        try:
            current = read_regular(path, MAX_FILE_BYTES).decode("utf-8") if path.exists() else None
        except (OSError, UnicodeDecodeError):
            current = None
        if current != text:
            issues.append(Issue(f"{EDITOR_SCHEMAS}/{name}", 1, 1, "warning",
                                "out of date with catalog.yaml and the installed advocate-catalog",
                                "run `advocate-catalog upgrade` and commit what it writes"))
    return issues


def compile_schemas(root: Path, config: Config,
                    filled: dict[str, dict[str, Any]] | None = None) -> Schemas:
    """Checkers for profiles and nominations; `filled`: the schemas already filled for `config`."""
    filled = filled or filled_schemas(root, config)
    advocate, nomination = filled["advocate.schema.json"], filled["nomination.schema.json"]
    import jsonschema
    import jsonschema_rs
    from referencing import Registry, Resource

    # Both validators find a schema's `$ref`s into the other by `$id`, never over the network.
    schemas = [(schema["$id"], schema) for schema in (advocate, nomination)]
    registry = Registry().with_resources(
        (uri, Resource.from_contents(schema)) for uri, schema in schemas)
    fast_registry = jsonschema_rs.Registry(schemas, draft=jsonschema_rs.Draft202012)
    # Both check `format: date` their own way (native code is faster than a Python callback); they
    # differ on year 0000 only, which the schema's date pattern refuses (a test covers the corners).
    dates = jsonschema.FormatChecker(["date"])

    def validator(schema: dict[str, Any]) -> Checker:
        explain = _explaining()(schema, registry=registry, format_checker=dates)
        fast = jsonschema_rs.Draft202012Validator(schema, registry=fast_registry,
                                                  validate_formats=True, offline=True)
        return Checker(explain, fast)

    return Schemas(validator(advocate), validator(nomination))


def schema_issues(doc: Document, validator: jsonschema.protocols.Validator) -> list[Issue]:
    """Every schema violation in `doc`, one plain-language issue per problem and place."""
    issues: list[Issue] = []
    flagged: set[JsonPath] = set()
    already = {(i.line, i.col) for i in doc.issues}
    root_schema: Any = validator.schema
    root_properties = root_schema.get("properties", {}) if isinstance(root_schema, dict) else {}
    for error in sorted(validator.iter_errors(doc.data), key=lambda e: list(e.absolute_path)):
        path = tuple(error.absolute_path)
        if doc.near_refused(path):
            continue
        for issue in _translate(doc, error, path, root_properties):
            if (issue.line, issue.col) in already or (path in flagged and error.validator
                                                      not in ("required", "additionalProperties")):
                continue
            issues.append(issue)
        flagged.add(path)
    return issues


def _hint_from(schema: dict[str, Any]) -> str:
    description = schema.get("description", "").rstrip(".")
    example = schema.get("examples", [None])[0]
    if example is not None and not isinstance(example, dict | list):
        return f"{description[:1].lower()}{description[1:]}, e.g. {example}"
    return description[:1].lower() + description[1:]


def _enum_hint(schema: dict[str, Any], value: Any) -> str:
    hint = _one_of([str(a) for a in schema.get("enum", [])], value)
    source = schema.get("x-vocabulary")
    return f"{hint} (or add it to {source} in catalog.yaml)" if source else hint


def _translate(doc: Document, error: jsonschema.ValidationError, path: JsonPath,
               root_properties: dict[str, Any]) -> Iterator[Issue]:
    # The stubs allow "unset" for every field; a reported error always has them set.
    value: Any = error.instance
    kind: Any = error.validator
    name = field_name(path)
    schema: dict[str, Any] = error.schema if isinstance(error.schema, dict) else {}
    if kind == "required":
        missing = re.match(r"^'(.*)' is a required property$", error.message)
        key = missing.group(1) if missing else str(error.validator_value)
        where = "" if not path else f"{name}: "
        # A conditional `required` (allOf/if/else) has no properties of its own: use the top level.
        properties = schema.get("properties") or (root_properties if not path else {})
        described = properties.get(key, {}).get("description", "")
        yield doc.issue(path, f"{where}missing required field '{key}'",
                        f"add `{key}:` ({described[:1].lower()}{described[1:].rstrip('.')})"
                        if described else f"add `{key}:`")
    elif kind == "additionalProperties":
        allowed = list(schema.get("properties", {}))
        for extra in [k for k in value if k not in allowed]:
            yield doc.issue((*path, extra), f"unknown field '{field_name((*path, extra))}'",
                            _did_you_mean(allowed, extra) or f"fields here: {', '.join(allowed)}",
                            key=True)
    elif "propertyNames" in error.relative_schema_path:
        yield doc.issue((*path, value), f"{name} lists an unknown '{value}'",
                        _enum_hint(schema, value), key=True)
    elif kind == "enum":
        yield doc.issue(path, f"{name} {_show(value)} is not allowed", _enum_hint(schema, value))
    elif kind == "type":
        expected: Any = error.validator_value
        wanted = " or ".join(_TYPE_NAMES.get(t, str(t)) for t in
                             (expected if isinstance(expected, list) else [expected]))
        yield doc.issue(path, f"{name} must be {wanted}, not {_kind(value)}",
                        _hint_from(schema) or f"write {wanted} here")
    elif kind in ("pattern", "format"):
        yield doc.issue(path, f"{name} {_show(value)} is not in the expected form",
                        _hint_from(schema) or f"it must match {error.validator_value}")
    elif kind in ("minItems", "minProperties", "minLength"):
        yield doc.issue(path, f"{name} is empty", "fill it in, or remove the field if it is optional")
    elif kind == "maxLength":
        yield doc.issue(path, f"{name} is {len(value)} characters long, over the "
                        f"{error.validator_value}-character limit", "shorten it")
    elif kind == "uniqueItems":
        yield doc.issue(path, f"{name} lists the same value twice", "remove the repeated item")
    else:
        yield doc.issue(path, f"{name}: {error.message}", "see the schema (advocate-catalog's schemas/)")


@cache
def _countries() -> frozenset[str]:
    import pycountry

    return frozenset(c.alpha_2 for c in pycountry.countries)


@cache
def _languages() -> frozenset[str]:
    import pycountry

    return frozenset(lang.alpha_2 for lang in pycountry.languages if hasattr(lang, "alpha_2"))


def _dates(data: Any, path: JsonPath = ()) -> Iterator[tuple[JsonPath, str]]:
    """Every field holding a date, by the `_on` / `last_verified` naming convention."""
    if isinstance(data, dict):
        for key, value in data.items():
            if isinstance(value, str) and (key.endswith("_on") or key in ("last_verified", "date")):
                yield (*path, key), value
            else:
                yield from _dates(value, (*path, key))
    elif isinstance(data, list):
        for i, item in enumerate(data):
            yield from _dates(item, (*path, i))


def record_issues(doc: Document, stem: str, today: dt.date) -> Iterator[Issue]:
    """Rules a schema cannot express: id = file name, real country and language codes, dates."""
    data = doc.data
    if data.get("id") != stem and isinstance(data.get("id"), str):
        yield doc.issue(("id",), f"id '{data['id']}' does not match the file name '{stem}.yaml'",
                        f"rename the file to {data['id']}.yaml, or set `id: {stem}`")
    country = (data.get("company") or {}).get("country") if isinstance(data.get("company"),
                                                                       dict) else None
    if isinstance(country, str) and re.fullmatch(r"[A-Z]{2}", country) and country not in _countries():
        yield doc.issue(("company", "country"), f"company.country '{country}' is not an ISO 3166-1 "
                        "country code", "use the two-letter code, e.g. NO for Norway, GB for the UK")
    for i, language in enumerate(data.get("languages") or []):
        if isinstance(language, str) and re.fullmatch("[a-z]{2}", language) \
                and language not in _languages():
            yield doc.issue(("languages", i), f"languages[{i}] '{language}' is not an ISO 639-1 "
                            "language code", "use the two-letter code, e.g. en, de, ja")
    for path, value in _dates(data):
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            continue  # the schema or the loader already said so
        if path[-1] in ("last_verified", "given_on", "approved_on", "nominated_on", "date") \
                and day > today:
            yield doc.issue(path, f"{field_name(path)} {value} is in the future",
                            f"use the date it actually happened (today is {today.isoformat()})")


@dataclass
class Result:
    """What validation found: the catalog (records that passed) and every issue, in file order."""

    catalog: Catalog | None
    issues: list[Issue] = field(default_factory=list)
    documents: dict[str, Document] = field(default_factory=dict)  # checked files, for reuse

    @property
    def errors(self) -> list[Issue]:
        return [i for i in self.issues if i.severity == "error"]


def load_config(root: Path) -> tuple[Config | None, list[Issue]]:
    doc = read(root / CONFIG_FILE, CONFIG_FILE)
    if doc.issues:
        return None, doc.issues
    issues = schema_issues(doc, file_validator(root, "config.schema.json"))
    if not issues:
        lists = [(("taxonomy", vocabulary), doc.data["taxonomy"][vocabulary])
                 for vocabulary in VOCABULARIES]
        lists.append((("recognition", "kinds"), (doc.data.get("recognition") or {}).get("kinds", [])))
        for where, terms in lists:
            seen: set[str] = set()
            for i, term in enumerate(terms):
                if term["id"] in seen:
                    issues.append(doc.issue((*where, i, "id"),
                                            f"{'.'.join(where)} lists '{term['id']}' twice",
                                            "remove one of them"))
                seen.add(term["id"])
        known = {term["id"] for term in doc.data["taxonomy"]["activities"]}
        for rule in ("per_activity", "rest_after"):
            for i, item in enumerate((doc.data.get("limits") or {}).get(rule, [])):
                if item["activity"] not in known:
                    issues.append(doc.issue(("limits", rule, i, "activity"),
                                            f"limits.{rule}[{i}].activity '{item['activity']}' is "
                                            "not an activity type",
                                            _one_of(sorted(known), item["activity"])))
        issues += _channel_issues(doc)
        issues += theme.issues(root, doc)
    failed = any(issue.severity == "error" for issue in issues)  # a theme's contrast only warns
    return (None if failed else Config.from_data(doc.data)), issues


def _channel_issues(doc: Document) -> list[Issue]:
    """Request channels that could not reach anyone: GitHub without a repository, Slack when
    no owner has a member id."""
    issues = []
    owners = doc.data["owners"]
    for i, channel in enumerate((doc.data.get("requests") or {}).get("channels", [])):
        if channel["kind"] == "github" and not doc.data["site"].get("repository_url"):
            issues.append(doc.issue(("requests", "channels", i, "kind"),
                                    "the github request channel needs site.repository_url",
                                    "set site.repository_url to the data repository, or remove "
                                    "this channel"))
        if channel["kind"] == "slack" and not any(owner.get("slack") for owner in owners):
            issues.append(doc.issue(("requests", "channels", i, "kind"),
                                    "the slack request channel reaches no one: no owner has a "
                                    "slack member id", "add `slack: U…` to the owners in owners:"))
    return issues


TARGETS_FILE = "targets.yaml"


def load_targets(root: Path, config: Config) -> tuple[list[Target], list[Issue]]:
    """The coverage targets (none when targets.yaml is absent), or the issues in the file."""
    if not (root / TARGETS_FILE).exists():
        return [], []
    doc = read(root / TARGETS_FILE, TARGETS_FILE)
    if doc.issues:
        return [], doc.issues

    issues = schema_issues(doc, file_validator(root, "targets.schema.json"))
    return ([], issues) if issues else targets_from(doc, config)


# Names in a data folder that are not content, passed over without a word and never opened:
# what git (.gitkeep), the OS (.DS_Store), editors (vim's .jo.yaml.swp, emacs's .#jo.yaml lock
# link, jo.yaml~ and #jo.yaml# backups) and `promote` (a .promote-… file while it writes) keep
# beside profiles, and a README saying what the folder is for. A profile moved or renamed by
# hand never lands on one of these names, and failing `validate` over an editor's backup would
# only teach people to ignore it. Of folders, only hidden ones are passed over (a folder named
# README is still a place profiles would vanish into). Everything else is read, or named by
# `data_files`.
_NOT_CONTENT = re.compile(r"\..*|.*~|#.*#|(?i:readme(\.(md|markdown|txt|rst))?)", re.S)
_NOUN = {"advocates": "profile", "nominations": "nomination"}


def _entries(folder: Path) -> list[os.DirEntry[str]]:
    """A folder's entries by name; their types come with the listing, so sorting 10,000 profiles
    into data and strays costs no call per file."""
    with os.scandir(folder) as listing:
        return sorted(listing, key=lambda entry: entry.name)


def _passed_over(entry: os.DirEntry[str]) -> bool:
    """A file of `_NOT_CONTENT`'s names, or a hidden folder."""
    return entry.name.startswith(".") if entry.is_dir(follow_symlinks=False) \
        else bool(_NOT_CONTENT.fullmatch(entry.name))


def _suggested_id(name: str) -> str:
    """The id a stray file's name points at: 'Jo Lund.yml' and 'jo.yaml.bak' → jo-lund, jo."""
    stem = re.sub(r"(?i)\.ya?ml$", "", Path(name).stem)
    return re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-") or "jane-doe"


def data_files(root: Path, folder: str) -> tuple[list[tuple[Path, str]], list[Issue]]:
    """The files of a data folder to read, sorted, and an error for every other file in it (at
    any depth) saying where it should go: a file the tool never reads must not vanish from the
    site unnoticed. The one place that says which files are data; nothing here is opened.

    A subfolder is named whole when it holds nothing to name, unless it is empty (git keeps no
    empty folder, so nothing is lost). A build that passes thus has only empty subfolders, and
    anything put into one changes the folder's time, which `cache.scan` watches: an incremental
    build never takes a stray file for "nothing changed"."""
    directory = root / folder
    if directory.is_symlink():
        return [], [Issue(folder, 1, 1, "error", "the folder is a symbolic link, so nothing in it "
                          "is read", "replace the link with the folder itself")]
    if not directory.is_dir():
        return [], []
    files, issues = [], []
    for entry in _entries(directory):
        if _passed_over(entry):
            continue
        display = f"{folder}/{entry.name}"
        if entry.is_dir(follow_symlinks=False):
            issues += _subfolder_issues(root, Path(entry.path), folder)
        elif (problem := _stray_file(entry, folder)) is None:
            files.append((Path(entry.path), display))
        else:
            issues.append(Issue(display, 1, 1, "error", *problem))
    return files, issues


def _stray_file(entry: os.DirEntry[str], folder: str) -> tuple[str, str] | None:
    """Why a file directly in a data folder is not read, and the fix; None when it is read."""
    noun, suggestion, suffix = _NOUN[folder], _suggested_id(entry.name), Path(entry.name).suffix
    if entry.is_symlink():
        if entry.is_dir():
            return ("the folder is a symbolic link, so nothing in it is read",
                    f"move its {noun}s into {folder}/ and delete the link")
        return "the file is a symbolic link", "replace the link with the file itself; links are not followed"
    if not entry.is_file(follow_symlinks=False):
        return "the file is not a regular file", f"replace it with the {noun}'s YAML text, or delete it"
    if suffix.lower() in (".yaml", ".yml") and suffix != ".yaml":
        return f"the file ends in {suffix}", f"rename it to {suggestion}.yaml"
    if suffix != ".yaml":
        what = f"the file ends in {suffix}, not .yaml," if suffix else "the file name has no .yaml ending,"
        return (f"{what} so it is never read",
                f"rename it to {suggestion}.yaml if it is a {noun}, or move it out of {folder}/")
    if not SLUG.fullmatch(entry.name[: -len(suffix)]):
        return (f"the file name '{entry.name}' is not a lowercase id",
                f"rename it to {suggestion}.yaml (lowercase letters, digits, hyphens)")
    return None


def _subfolder_issues(root: Path, subfolder: Path, folder: str) -> list[Issue]:
    """An error for each file below `subfolder` (links and hidden folders not entered), or one
    for the folder itself when it holds only what is passed over."""
    issues, holds_anything, pending = [], False, [subfolder]
    noun = _NOUN[folder]
    while pending:
        for entry in _entries(pending.pop()):
            holds_anything = True
            if _passed_over(entry):
                continue
            if entry.is_dir(follow_symlinks=False):
                pending.append(Path(entry.path))
                continue
            display = Path(entry.path).relative_to(root).as_posix()
            if Path(entry.name).suffix.lower() not in (".yaml", ".yml"):
                issues.append(Issue(display, 1, 1, "error",
                                    f"a file in a subfolder of {folder}/ is never read",
                                    f"move it out of {folder}/: only <id>.yaml {noun}s go there"))
                continue
            target = f"{folder}/{_suggested_id(entry.name)}.yaml"
            hint = (f"{target} is there already: merge what is new into it and delete this copy"
                    if (root / target).exists() else f"move it to {target}")
            issues.append(Issue(display, 1, 1, "error", f"a {noun} in a subfolder is never read", hint))
    if holds_anything and not issues:
        issues.append(Issue(subfolder.relative_to(root).as_posix(), 1, 1, "error",
                            f"a subfolder of {folder}/ is never read",
                            f"keep {noun}s directly in {folder}/, move anything else out, "
                            "and delete the folder"))
    return sorted(issues)


def check_document(doc: Document, stem: str, checker: Checker, today: dt.date) -> Document:
    """Add to a loaded document's issues everything the schema and the per-file rules find."""
    if doc.data is not None:
        doc.issues += checker.issues(doc)
        doc.issues += record_issues(doc, stem, today)
        doc.issues += story_issues(doc)
    return doc


def story_issues(doc: Document) -> list[Issue]:
    """Render the story now, once: a story that cannot render fails validation with its line,
    not the build, and the build reuses the HTML (kept in the build cache with the file)."""
    text = doc.data.get("story")
    if not isinstance(text, str) or doc.near_refused(("story",)):
        return []
    from .story import story_html, story_problem

    problem = story_problem(text)
    if problem is not None:
        what, _, how = problem.partition(" — ")
        return [doc.issue(("story",), what, how or "simplify the Markdown; preview it in GitHub's editor")]
    doc.story_html = story_html(text)
    return []


PARALLEL_FROM = 400  # below this many files, starting worker processes costs more than it saves
PER_WORKER = 2_500  # files a checking process reads before a fresh one takes over (see parallel.py)
_job: tuple[Checker, dt.date] | None = None  # what forked workers check with


def _check_batch(batch: list[tuple[Path, str]]) -> list[Document]:
    assert _job is not None
    checker, today = _job
    return [check_document(read(file, display), file.stem, checker, today) for file, display in batch]


def check_files(files: list[tuple[Path, str]], checker: Checker, today: dt.date,
                known: dict[str, Document] | None = None) -> list[Document]:
    """Read and check files, on every core the machine gives us once there are enough of them;
    `known` documents (files unchanged since they were checked) are taken as they are.
    Workers are forked, so they inherit the compiled checker instead of compiling it again."""
    global _job
    known = known or {}
    todo = [(file, display) for file, display in files if display not in known]
    _job = (checker, today)
    with parallel.mapping(_check_batch, todo, smallest=PARALLEL_FROM, batch=50,
                          per_process=PER_WORKER) as results:
        checked = [doc for batch in results() for doc in batch]
    fresh = iter(checked)
    return [known[display] if display in known else next(fresh) for _, display in files]


def _check_folder(root: Path, folder: str, checker: Checker, today: dt.date,
                  known: dict[str, Document] | None) -> tuple[list[tuple[Document, str]], list[Issue]]:
    files, issues = data_files(root, folder)
    docs = check_files(files, checker, today, known)
    for doc in docs:
        issues += doc.issues
    return [(doc, Path(doc.path).stem) for doc in docs], issues


def _comparable(text: Any) -> str:
    """Case-, accent- and punctuation-insensitive form of a name: 'José  Peña' ~ 'jose pena'."""
    return " ".join(re.findall(r"[^\W_]+", fold(str(text))))


@dataclass(frozen=True)
class Person:
    """Who a file (or a row being imported) is, as the duplicate check compares people."""

    id: str
    name: str                   # comparable forms (`_comparable`)
    company: str
    nomination: bool
    external_id: str            # private.external_id: the CRM's id for them, when imported
    not_same_as: frozenset[str]


def person(file_id: str, data: Any, *, nomination: bool) -> Person:
    """The Person a file's data (or a would-be file's) describes."""
    data = data if isinstance(data, dict) else {}
    company, private = data.get("company"), data.get("private")
    external = private.get("external_id") if isinstance(private, dict) else None
    others = data.get("not_same_as")
    return Person(file_id, _comparable(data.get("name") or ""),
                  _comparable(company.get("name") or "") if isinstance(company, dict) else "",
                  nomination, external if isinstance(external, str) else "",
                  frozenset(o for o in others if isinstance(o, str)) if isinstance(others, list)
                  else frozenset())


def looks_same(a: Person, b: Person) -> bool:
    """Whether two files look like one person: the same name at the same company, or a
    nomination whose name is already in the catalog (people change jobs) — unless both came from
    a CRM under different ids (two contacts at two companies are two people), or either file
    names the other under `not_same_as`. The importer asks the same question (importer.py)."""
    if not a.name or a.name != b.name or a.id in b.not_same_as or b.id in a.not_same_as:
        return False
    if a.company == b.company:
        return True
    if a.external_id and b.external_id:
        return a.external_id == b.external_id
    return a.nomination or b.nomination


def _person_of(doc: Document) -> Person:
    return person(Path(doc.path).stem, doc.data, nomination=doc.path.startswith("nominations/"))


def duplicate_issues(docs: list[Document]) -> list[Issue]:
    """A warning where files look like the same person (`looks_same`). It sits on the last of
    them and lists the others; a file already listed with another in a warning is not compared
    with it again, so a thousand copies give one line, not a million."""
    issues = []
    by_name: dict[str, list[tuple[Document, Person]]] = {}
    for doc in docs:
        if isinstance(doc.data, dict) and doc.data.get("name"):
            someone = _person_of(doc)
            by_name.setdefault(someone.name, []).append((doc, someone))
    for group in by_name.values():
        if len(group) < 2:
            continue
        told: list[set[int]] = []  # the files of each warning given: all one person, if any is
        for i in reversed(range(len(group))):
            doc, someone = group[i]
            covered = set().union(*(shown for shown in told if i in shown))
            alike = [j for j in range(len(group))
                     if j != i and j not in covered and looks_same(someone, group[j][1])]
            if not alike:
                continue
            told.append({i, *alike})
            others = [group[j][0].path for j in alike]
            shown = ", ".join(others[:5]) + (f" and {len(others) - 5} more" if len(others) > 5 else "")
            same_company = all(group[j][1].company == someone.company for j in alike)
            where = " at the same company" if same_company else ""
            issues.append(doc.issue(("name",), f"'{doc.data['name']}' looks like the same person as "
                                    f"{shown}{where}",
                                    "if it is, keep one file and merge what is new into it; if not, "
                                    "list the other ids under `not_same_as:` in this file",
                                    severity="warning"))
    return issues


def not_same_as_issues(docs: list[Document]) -> list[Issue]:
    """A warning for each `not_same_as` id that names no file (a typo) or the file itself."""
    ids = sorted(Path(doc.path).stem for doc in docs)
    known = set(ids)
    issues = []
    for doc in docs:
        others = doc.data.get("not_same_as") if isinstance(doc.data, dict) else None
        for index, other in enumerate(others if isinstance(others, list) else []):
            if not isinstance(other, str) or not SLUG.match(other):
                continue  # the schema reports it
            if other == Path(doc.path).stem:
                issues.append(doc.issue(("not_same_as", index), f"not_same_as names this file's own "
                                        f"id '{other}'", "remove it: list the ids of the other "
                                        "files with this name", severity="warning"))
            elif other not in known:
                issues.append(doc.issue(("not_same_as", index), f"not_same_as names '{other}', which "
                                        "is no file in advocates/ or nominations/",
                                        _did_you_mean(ids, other) or "correct the id (the other "
                                        "file's name without .yaml), or remove it",
                                        severity="warning"))
    return issues


MAX_WARNINGS_PER_KIND = 50


def capped(issues: list[Issue], most: int = MAX_WARNINGS_PER_KIND) -> list[Issue]:
    """At most `most` warnings of one kind (warnings of a kind share their hint), then one line
    saying how many more there are: thousands of annotations help no reviewer."""
    seen: dict[str, int] = {}
    kept: list[Issue] = []
    first_left_out: dict[str, Issue] = {}
    for issue in issues:
        if issue.severity != "error":
            seen[issue.hint] = seen.get(issue.hint, 0) + 1
            if seen[issue.hint] > most:
                first_left_out.setdefault(issue.hint, issue)
                continue
        kept.append(issue)
    for hint, issue in first_left_out.items():
        kept.append(Issue(issue.path, issue.line, issue.col, issue.severity,
                          f"{seen[hint] - most:,} more {issue.severity}s like this one were left out "
                          f"(first {most} shown)", hint))
    return kept


def _records(docs: Iterable[tuple[Document, str]], cls: type[Record]) -> list[Any]:
    return [cls.from_document(doc.path, doc.data, doc.positions, doc.story_html)
            for doc, _ in docs if doc.data is not None and not doc.issues]


def opportunity_issues(advocates: list[Advocate]) -> list[Issue]:
    """A warning where the outcomes logged for one opportunity disagree: won after lost or lost
    after won, or `open` after either (reopened). Every profile is checked, listed or not (wrong
    data is wrong wherever it sits); names match as the value report matches them
    (`report.opportunity_key`). The warning sits on the later entry and names the earlier one."""
    said = sorted(((advocate, entry) for advocate in advocates for entry in log(advocate)
                   if entry.get("outcome") and is_deal(entry)),
                  key=lambda item: (item[1]["day"], item[0].path, item[1]["index"]))
    issues = []
    latest: dict[str, tuple[Advocate, dict[str, Any]]] = {}
    for advocate, entry in said:
        key = opportunity_key(entry["opportunity"])
        before = latest.get(key)
        latest[key] = advocate, entry
        if before is None or before[1]["outcome"] not in FINAL or before[1]["outcome"] == entry["outcome"]:
            continue
        where = f"{before[0].path}:{before[0].position_of('activity', before[1]['index'])[0]}"
        was = f"it was {before[1]['outcome']} on {before[1]['date']} ({where})"
        if entry["outcome"] == "open":
            message = f"activity[{entry['index']}] reopens '{entry['opportunity']}': {was}"
            hint = ("a won or lost deal stays closed: log new business under an opportunity name "
                    "of its own, or drop `outcome: open`")
        else:
            message = (f"activity[{entry['index']}] says '{entry['opportunity']}' was "
                       f"{entry['outcome']}, but {was}")
            hint = ("one opportunity is either won or lost: correct the wrong outcome, or give "
                    "the other deal an opportunity name of its own")
        line, col = advocate.position_of("activity", entry["index"])
        issues.append(Issue(advocate.path, line, col, "warning", message, hint))
    return issues


def validate(root: Path, today: dt.date | None = None,
             known: dict[str, Document] | None = None) -> Result:
    """Load and check the whole catalog under `root`; never raises for bad data. `known`: files
    checked before with the same config, schemas and day, and unchanged since (see cache.py)."""
    today = today or dt.date.today()
    config, issues = load_config(root)
    if config is None:
        return Result(None, issues)
    filled = filled_schemas(root, config)  # once: for the checkers and the editor schemas' check
    schemas = compile_schemas(root, config, filled)
    issues += editor_schema_issues(root, filled)
    advocate_docs, advocate_issues = _check_folder(root, "advocates", schemas.advocate, today, known)
    nomination_docs, nomination_issues = _check_folder(root, "nominations", schemas.nomination,
                                                       today, known)
    issues += advocate_issues + nomination_issues
    issues += duplicate_issues([doc for doc, _ in advocate_docs + nomination_docs])
    issues += not_same_as_issues([doc for doc, _ in advocate_docs + nomination_docs])
    advocate_ids = {stem: doc for doc, stem in advocate_docs}
    for doc, stem in nomination_docs:
        if stem in advocate_ids and doc.data is not None:
            issues.append(doc.issue(("id",), f"'{stem}' is already an advocate "
                                    f"({advocate_ids[stem].path})",
                                    "update that profile instead, or pick another id"))
    catalog = Catalog(config, _records(advocate_docs, Advocate),
                      _records(nomination_docs, Nomination))
    for advocate in catalog.advocates:
        issues += limit_issues(advocate, config.limits)
        issues += recognition_issues(advocate, today, config)
    issues += opportunity_issues(catalog.advocates)
    issues += [issue for doc, _ in advocate_docs if doc.data is not None and not doc.issues
               for issue in gift_issues(doc, config, today)]
    catalog.targets, target_issues = load_targets(root, config)
    issues += target_issues
    issues += stale_variable_issues(root)
    documents = {doc.path: doc for doc, _ in advocate_docs + nomination_docs}
    return Result(catalog, capped(sorted(issues)), documents)


def validated_catalog(root: Path, today: dt.date | None = None) -> Catalog:
    """The catalog, or InvalidData when any file has an error: later stages need sound data."""
    return sound(validate(root, today))


def sound(result: Result) -> Catalog:
    if result.errors or result.catalog is None:
        raise InvalidData(result.issues)
    return result.catalog
