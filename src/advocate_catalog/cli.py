"""The command line: parse options, call one core function, print, exit. Only module using click."""

from __future__ import annotations

import codecs
import contextlib
import datetime as dt
import json
import os
import sys
import threading
import time
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

# The modules of commands a build never runs (import, issue forms, scaffolding, the server) are
# imported inside those commands: every build and check pays for what is imported here.
from . import (
    activity,
    cache,
    coverage,
    diff,
    freshness,
    git,
    nominate,
    recognition,
    report,
    reporters,
)
from .build import build
from .errors import CatalogError, InvalidData
from .model import Catalog
from .text import printable
from .validate import (
    CONFIG_FILE,
    EDITOR_SCHEMAS,
    Result,
    editor_schemas,
    load_config,
    load_targets,
    validate,
    validated_catalog,
)

ESCAPE = "advocate-catalog-escape"


def _escape(error: UnicodeError) -> tuple[str, int]:
    """What the output's encoding cannot hold, as `\\uXXXX`: JSON's own escape, so nothing is lost
    and a JSON report stays JSON (a character beyond the BMP is its UTF-16 pair, as JSON has it)."""
    if not isinstance(error, UnicodeEncodeError):
        raise error
    units = error.object[error.start:error.end].encode("utf-16-be", "surrogatepass")
    return "".join(f"\\u{int.from_bytes(units[i:i + 2], 'big'):04x}"
                   for i in range(0, len(units), 2)), error.end


codecs.register_error(ESCAPE, _escape)


def _survive_any_encoding() -> None:
    """A Windows pipe (cp1252) or an ASCII terminal cannot show every name: the streams keep their
    encoding, and what it cannot hold is escaped instead of ending the run with UnicodeEncodeError."""
    for stream in (sys.stdout, sys.stderr):
        reconfigure = getattr(stream, "reconfigure", None)
        if reconfigure is not None:
            with contextlib.suppress(ValueError, OSError):  # a closed or unusual stream is left as is
                reconfigure(errors=ESCAPE)


def echo(message: object = "", err: bool = False, nl: bool = True) -> None:
    """Everything the tool prints goes through here: control characters from the data (an ESC
    sequence could hide or rewrite what a reviewer reads) are shown as escapes, never sent raw."""
    click.echo(printable(str(message)), err=err, nl=nl)


class Progress:
    """Build progress on stderr: a line per stage; on a terminal, long stages also draw a bar
    with counts and the time left, redrawn in place (CI logs get the plain lines only)."""

    WIDTH = 28

    def __init__(self, terminal: bool | None = None) -> None:
        self.terminal = sys.stderr.isatty() if terminal is None else terminal
        self.started: dict[str, float] = {}
        self.drawn = False

    def stage(self, message: str) -> None:
        self._end_bar()
        echo(f"… {message}", err=True)

    def count(self, stage: str, done: int, total: int) -> None:
        if not self.terminal or total <= 0:
            return
        now = time.monotonic()
        start = self.started.setdefault(stage, now)
        filled = self.WIDTH * done // total
        left = (now - start) / done * (total - done) if done else 0.0
        eta = f"{left:.0f} s left" if done < total else f"{now - start:.1f} s"
        click.echo(f"\r  {stage} [{'#' * filled}{'.' * (self.WIDTH - filled)}] {done:,}/{total:,} · {eta}",
                   nl=False, err=True)
        self.drawn = True
        if done >= total:
            self._end_bar()

    def _end_bar(self) -> None:
        if self.drawn:
            click.echo("", err=True)
            self.drawn = False


ROOT_HELP = ("Folder holding catalog.yaml, advocates/ and nominations/; its own templates/ and "
             "schemas/, if any, override the package's defaults file by file.")
SITE_FOLDER = "site"  # what build writes and serve serves, in the catalog's folder
# `init` makes a catalog, so it runs anywhere; every other command needs one.
RUNS_ANYWHERE = frozenset({"init"})


def not_a_catalog(where: str) -> str:
    return (f"{CONFIG_FILE}: not found in {where} — this is not a catalog; create one with "
            "`advocate-catalog init DIR`, or point at one with --root DIR")


def catalog_root(given: Path | None) -> Path:
    """--root, or else the first folder from the current one up that holds catalog.yaml, as git
    looks for .git. A catalog.yaml that is there but unreadable is validation's to report."""
    if given is not None:
        root = given.resolve()
        if os.path.lexists(root / CONFIG_FILE):
            return root
        raise click.UsageError(not_a_catalog(str(root)))
    try:
        here = Path.cwd()
    except OSError as error:
        raise click.UsageError(f"cannot read the current folder ({error.strerror}) — cd into a "
                               "catalog, or point at one with --root DIR") from None
    for folder in (here, *here.parents):
        if os.path.lexists(folder / CONFIG_FILE):
            return folder
    raise click.UsageError(not_a_catalog(f"{here} or any parent folder"))


class CatalogCommand(click.Command):
    """A command that finds its catalog once its own options are parsed, so `--help` and a
    mistyped option answer anywhere; a folder that is no catalog is one line and exit 2."""

    def invoke(self, ctx: click.Context) -> Any:
        if self.name not in RUNS_ANYWHERE:
            try:
                ctx.obj = catalog_root(ctx.find_root().params.get("root"))
            except click.UsageError as error:
                echo(error.message, err=True)
                ctx.exit(2)
        return super().invoke(ctx)


class CatalogGroup(click.Group):
    """The tool's groups: their commands find the catalog (CatalogCommand), and the output
    streams survive any encoding before anything is printed, `--help` included."""

    command_class = CatalogCommand
    group_class = type  # `report` is a CatalogGroup too

    def main(self, *args: Any, **kwargs: Any) -> Any:
        _survive_any_encoding()
        return super().main(*args, **kwargs)


def _iso_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date — write it as YYYY-MM-DD") from None


def _catalog_as_of(root: Path, as_of: dt.date | None) -> tuple[Catalog, dt.date]:
    """The validated catalog and the day to report for; "in the future" is judged by the calendar."""
    today = as_of or dt.date.today()
    return validated_catalog(root, max(today, dt.date.today())), today


def _friendly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the core's errors into one line and exit 1; an unexpected crash points to --debug."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return command(*args, **kwargs)
        except InvalidData as error:
            echo(reporters.text(error.issues), err=True)
            echo(f"{error} — fix them and run again", err=True)
            sys.exit(1)
        except CatalogError as error:
            echo(f"error: {error}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:
            if debug:
                traceback.print_exc()
            else:
                echo(f"internal error: {type(error).__name__}: {error} — this is a bug in "
                           "the catalog tool; run again with --debug for the traceback and report "
                           "it", err=True)
            sys.exit(70)

    return wrapper


@click.group(cls=CatalogGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="advocate-catalog", prog_name="advocate-catalog")
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              show_default="the current folder or the nearest parent holding catalog.yaml",
              help=ROOT_HELP)
@click.option("--debug", is_flag=True, help="Show the full traceback of an internal error.")
def main(root: Path | None, debug: bool) -> None:
    """Validate, build and serve the customer advocate catalog."""
    # Each command finds the catalog itself (CatalogCommand): a command's --help needs none.


def _summary(result: Result) -> str:
    catalog = result.catalog
    errors = len(result.errors)
    notices = sum(issue.severity == "notice" for issue in result.issues)
    warnings = len(result.issues) - errors - notices
    counts = (f"{len(catalog.advocates)} advocates, {len(catalog.nominations)} nominations"
              if catalog else "catalog.yaml could not be read")
    return f"{counts}: {errors} error(s), {warnings} warning(s)" + (
        f", {notices} notice(s)" if notices else "")


@main.command("validate")
@click.option("--format", "fmt", type=click.Choice(sorted(reporters.REPORTERS)), default="text",
              show_default=True, help="How to print the issues.")
@click.option("--strict", is_flag=True,
              help="Treat warnings as errors (CI uses this); notices never fail.")
@click.option("--as-of", callback=_iso_date, metavar="YYYY-MM-DD",
              help="Check dates against this day instead of today.")
@click.pass_obj
@_friendly
def validate_command(root: Path, fmt: str, strict: bool, as_of: dt.date | None) -> None:
    """Check every advocate and nomination file; print every problem, one per line."""
    result = validate(root, as_of)
    if result.issues or fmt == "json":  # JSON is always a document, an empty list included
        echo(reporters.REPORTERS[fmt](result.issues))
    echo(_summary(result), err=True)
    if result.errors or (strict and any(i.severity == "warning" for i in result.issues)):
        sys.exit(1)


@main.command("build")
@click.option("--site", "site", type=click.Path(file_okay=False, path_type=Path), metavar="DIR",
              show_default=f"{SITE_FOLDER}/ in the catalog's folder", help="Output folder.")
@click.option("--as-of", callback=_iso_date, metavar="YYYY-MM-DD",
              help="Check dates against this day instead of today.")
@click.option("--timings", is_flag=True, help="Also print seconds per stage, as JSON.")
@click.option("--full", is_flag=True,
              help="Rebuild everything, ignoring what the last build left in its cache "
                   f"({cache.HOME}).")
@click.pass_obj
@_friendly
def build_command(root: Path, site: Path | None, as_of: dt.date | None, timings: bool,
                  full: bool) -> None:
    """Validate, then render the catalog and its search index into site/.

    Only what changed since the last build is redone; with nothing changed the site is left as is.
    """
    shown = Progress()
    summary = build(root, site or root / SITE_FOLDER, as_of, reuse=not full, progress=shown.stage,
                    count=shown.count)
    for warning in summary.warnings:
        echo(str(warning), err=True)
    if timings:  # stdout carries the JSON alone; the summary goes with the other messages
        echo(str(summary), err=True)
        echo(json.dumps({stage: round(s, 3) for stage, s in summary.stages.items()}))
    else:
        echo(str(summary))


@main.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 to listen on.")
@click.option("--no-build", is_flag=True, help="Serve the existing site/ without building first.")
@click.option("--watch", is_flag=True,
              help="Rebuild (incrementally) whenever a profile, catalog.yaml or a template changes.")
@click.pass_obj
@_friendly
def serve_command(root: Path, port: int, no_build: bool, watch: bool) -> None:
    """Build, then serve site/ on localhost for preview (Ctrl+C stops)."""
    from .serve import Failure, rebuild, server, snapshot
    from .serve import watch as watching
    site = root / SITE_FOLDER
    debug = click.get_current_context().find_root().params.get("debug", False)

    def failed(failure: Failure) -> None:
        """Any failed rebuild: one line (the data's every issue), and the watch goes on."""
        if debug:
            traceback.print_exception(failure.error)
        if isinstance(failure.error, InvalidData):
            echo(reporters.text(failure.error.issues), err=True)
            echo(f"{failure.error} — the preview still shows the last good build", err=True)
        else:
            echo(failure.line, err=True)

    if no_build and not (site / "index.html").is_file():
        echo(f"{site}: no built site to serve (no index.html) — run `advocate-catalog serve` "
             "without --no-build, or `advocate-catalog build` first", err=True)
        sys.exit(2)
    since = snapshot(root) if watch else None  # an edit saved during the first build is rebuilt too
    first: Failure | None = None
    if not no_build and watch and site.is_dir():
        # A last good build to show: a first build that fails is one more failed rebuild, and
        # the watch starts anyway, so saving the fix brings the preview back.
        first = rebuild(lambda: _build_and_report(root, site), root, failed)
    elif not no_build:
        _build_and_report(root, site)
    try:
        httpd = server(site, port=port)
    except OSError as error:
        raise click.UsageError(f"cannot listen on port {port} ({error.strerror}) — "
                               "pick another with --port") from None
    httpd.stale = first.line if first else None
    echo(f"serving {site} at http://127.0.0.1:{httpd.server_address[1]}/ — Ctrl+C stops")
    stop = threading.Event()
    if watch:
        threading.Thread(target=watching, args=(root, lambda: _build_and_report(root, site), stop),
                         kwargs={"failed": failed, "preview": httpd, "since": since}, daemon=True).start()
        echo("watching for changes", err=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        echo("stopped")
    finally:
        stop.set()
        httpd.server_close()


def _build_and_report(root: Path, site: Path) -> None:
    shown = Progress()
    summary = build(root, site, progress=shown.stage, count=shown.count)
    for warning in summary.warnings:
        echo(str(warning), err=True)
    echo(str(summary))


@main.command("freshness")
@click.option("--as-of", callback=_iso_date, metavar="YYYY-MM-DD",
              help="Check against this day instead of today (reproducible runs).")
@click.option("--format", "fmt", type=click.Choice(list(reporters.FRESHNESS_REPORTERS)),
              default="text", show_default=True,
              help="text for people, github for annotations, markdown for an issue body, json.")
@click.option("--changed", "base", metavar="BASE",
              help="Check only profiles changed since this git ref (for pull requests).")
@click.option("--strict", is_flag=True, help="Fail on profiles due soon too.")
@click.pass_obj
@_friendly
def freshness_command(root: Path, as_of: dt.date | None, fmt: str, base: str | None,
                      strict: bool) -> None:
    """Find profiles not verified for too long, and expired consent, quotes or assets."""
    catalog, today = _catalog_as_of(root, as_of)
    only = git.changed_files(root, base) if base else None
    findings = freshness.check(catalog, today, only)
    echo(reporters.FRESHNESS_REPORTERS[fmt](findings, catalog.config, today))
    if any(f.severity == "error" or strict for f in findings):
        sys.exit(1)


@main.command("diff")
@click.argument("base")
@click.argument("head", default="HEAD")
@click.option("--format", "fmt", type=click.Choice(list(reporters.DIFF_REPORTERS)),
              default="markdown", show_default=True, help="How to print the summary.")
@click.pass_obj
@_friendly
def diff_command(root: Path, base: str, head: str, fmt: str) -> None:
    """Summarise, for review, what changed in advocates and nominations between two git refs."""
    config, issues = load_config(root)
    if config is None:
        raise InvalidData(issues)
    targets, target_issues = load_targets(root, config)
    if target_issues:
        raise InvalidData(target_issues)
    changes, moves = diff.between(root, base, head, targets)
    echo(reporters.DIFF_REPORTERS[fmt](changes, moves), nl=False)


@main.command("nominate")
@click.option("--id", "advocate_id", help="Id and file name (default: from the name).")
@click.option("--name", help="Full name of the customer.")
@click.option("--title", help="Their job title.")
@click.option("--persona", help="Persona id from catalog.yaml.")
@click.option("--function", help="Job function id from catalog.yaml (optional).")
@click.option("--company", help="Company name.")
@click.option("--industry", help="Industry id from catalog.yaml.")
@click.option("--size", help="Company size id from catalog.yaml.")
@click.option("--region", help="Region id from catalog.yaml.")
@click.option("--country", help="ISO 3166-1 alpha-2 country code.")
@click.option("--products", help="Product ids from catalog.yaml, comma-separated.")
@click.option("--owner", help="Owner id from catalog.yaml.")
@click.option("--nominated-by", "nominated_by", help="Your name or work email.")
@click.option("--reason", help="Why they would make a good advocate.")
@click.option("--story", help="Their story so far, in Markdown (optional).")
@click.option("--as-of", callback=_iso_date, metavar="YYYY-MM-DD", help="Nomination date.")
@click.pass_obj
@_friendly
def nominate_command(root: Path, advocate_id: str | None, as_of: dt.date | None,
                     **given: str | None) -> None:
    """Write a new nomination file, asking for each field not given as an option."""
    config, issues = load_config(root)
    if config is None:
        raise InvalidData(issues)
    answers: dict[str, str] = {}
    for question in nominate.QUESTIONS:
        value = given.get(question.key)
        if value is None and question.required:
            offered = [choice for choice, _ in nominate.choices(config, question)
                       ] if question.vocabulary else []
            hint = f" [{', '.join(offered)}]" if offered else ""
            many = " (comma-separated)" if question.multiple else ""
            value = click.prompt(f"{question.label}{many}{hint}", type=str)
        if value is not None:
            answers[question.key] = value.strip()
    if given.get("nominated_by") is None:
        given["nominated_by"] = click.prompt("Your name or work email", type=str)
    answers["nominated_by"] = str(given["nominated_by"]).strip()
    data = {"id": advocate_id, **nominate.nomination_from_answers(answers)}
    path = nominate.create(root, data, as_of or dt.date.today())
    echo(f"wrote {path.relative_to(root)} — commit it and open a pull request")


@main.command("promote")
@click.argument("nomination_file", metavar="nominations/FILE.yaml")
@click.option("--as-of", callback=_iso_date, metavar="YYYY-MM-DD",
              help="Date written as last_verified (default: today).")
@click.pass_obj
@_friendly
def promote_command(root: Path, nomination_file: str, as_of: dt.date | None) -> None:
    """Turn a nomination into an advocate profile (status nominated), keeping its git history."""
    promotion = nominate.promote(root, nomination_file, as_of or dt.date.today())
    how = "git mv, history follows" if promotion.moved_with_git else "moved"
    echo(f"{promotion.source} → {promotion.target} ({how}); add what is missing (persona, "
               "story, willingness, consent), then set status: active")


@main.command("issue-form")
@click.option("--check", is_flag=True, help="Only check that the committed forms are up to date.")
@click.pass_obj
@_friendly
def issue_form_command(root: Path, check: bool) -> None:
    """Write the GitHub issue forms (nominate, request, verify) from catalog.yaml's vocabulary."""
    from . import scaffold, upgrade
    # The forms and their record copies alone: no tool setting (nor a download) is involved.
    result = upgrade.plan(root, only=scaffold.ISSUE_FORMS)
    if check:
        for change in result.changes:
            echo(f"{change.path}:1:1: out of date with catalog.yaml — run `advocate-catalog "
                 "issue-form` and commit the result", err=True)
        _report_unresolved(result.unresolved)
        if result.changes:
            sys.exit(1)
        return
    upgrade.write(root, result)
    for change in result.changes:
        echo(f"wrote {change.path}", err=True)
    _report_merges(result.changes)
    _report_unresolved(result.unresolved)
    if result.conflicts or result.unresolved:
        sys.exit(1)


def _report_merges(changes: list[Any]) -> None:
    for change in changes:
        if change.how in ("merged", "conflict"):
            what = (f"{change.conflicts} conflict(s) left between <<<<<<< and >>>>>>> — keep what you "
                    "need, remove the markers, then commit" if change.conflicts
                    else "your changes merged with this version's")
            echo(f"{change.path}: {what}", err=True)


def _report_unresolved(paths: list[str]) -> None:
    for path in paths:
        echo(f"{path}: still holds the conflict markers of an earlier upgrade, left as it is — resolve "
             "them (keep what you need, remove the markers), then run this again to merge this "
             "version's changes", err=True)


@main.command("init")
@click.argument("directory", type=click.Path(file_okay=False, path_type=Path))
@click.option("--maintainers", metavar="@ORG/TEAM",
              help="GitHub team that reviews code, workflows and templates (CODEOWNERS).")
@click.option("--reviewers", metavar="@ORG/TEAM",
              help="GitHub team that reviews profiles, nominations and catalog.yaml (CODEOWNERS).")
@_friendly
def init_command(directory: Path, maintainers: str | None, reviewers: str | None) -> None:
    """Start a new data repository in DIRECTORY: example data, settings, workflows, README."""
    from . import scaffold
    written, kept = scaffold.init(directory, dt.date.today(), maintainers, reviewers)
    for path in written:
        echo(f"wrote {directory / path}", err=True)
    for path in kept:
        echo(f"kept {directory / path} as it is (the catalog's own {path} was not written)", err=True)
    echo(f"\nA catalog with one example advocate is ready in {directory}. Next:\n"
         f"  cd {directory}\n"
         "  git init -b main && git add . && git commit -m 'Start the advocate catalog'\n"
         "  advocate-catalog serve        # build and look at it on http://127.0.0.1:8000/\n"
         "Then edit catalog.yaml (your products, regions, owners) and run `advocate-catalog "
         "upgrade`.", err=True)


@main.command("upgrade")
@click.option("--check", is_flag=True,
              help="Write nothing; exit 1 when upgrade would change a file of yours.")
@click.pass_obj
@_friendly
def upgrade_command(root: Path, check: bool) -> None:
    """Bring the generated files to the installed version, keeping your changes; print the diff.

    Generated: the workflows, the hashed lock, the issue forms, the editor schemas, the pre-commit
    hook. A file you changed is merged three-way (a conflict is left marked and reported), a file
    you deleted stays deleted, a path in catalog.yaml's tool.exclude is left alone."""
    from . import scaffold, upgrade
    result = upgrade.plan(root)
    for change in result.changes:
        echo(change.diff, nl=False)
    _report_merges(result.changes)
    _report_unresolved(result.unresolved)
    for path in result.deleted:
        echo(f"{path}: deleted in this repository — stays deleted (list it in tool.exclude to say so)",
             err=True)
    for line in result.overrides:
        echo(f"{line}", err=True)
    version = scaffold.version()
    if check:
        echo(f"{len(result.changes)} generated file(s) out of date with advocate-catalog {version}"
             if result.changes else "every generated file is up to date", err=True)
        if result.changes:
            sys.exit(1)
        return
    upgrade.write(root, result)
    echo(f"updated {len(result.changes)} file(s) for advocate-catalog {version}; review with `git diff`, "
         "then commit (with .advocate-catalog/)" if result.changes else "nothing to upgrade", err=True)
    if result.conflicts or result.unresolved:
        sys.exit(1)


@main.command("import")
@click.argument("csv_file", metavar="FILE.csv", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--mapping", "mapping_file", required=True, metavar="MAPPING.yaml",
              type=click.Path(dir_okay=False, path_type=Path),
              help="Which columns fill which fields, value translations, defaults (docs/import.md).")
@click.option("--write", is_flag=True, help="Write the files; without it, only check and report.")
@click.option("--as-of", callback=_iso_date, metavar="YYYY-MM-DD",
              help="Check dates against this day instead of today.")
@click.pass_obj
@_friendly
def import_command(root: Path, csv_file: Path, mapping_file: Path, write: bool,
                   as_of: dt.date | None) -> None:
    """Turn the rows of a spreadsheet or CRM export (CSV, or Excel .xlsx) into nominations or profiles."""
    from . import importer
    today = as_of or dt.date.today()
    mapping = importer.load_mapping(root, mapping_file, str(mapping_file))
    plan = importer.plan(root, csv_file, mapping, validate(root, today), today)
    if plan.issues:
        echo(reporters.text(plan.issues))
    folder = "nominations/" if mapping.kind == "nomination" else "advocates/"
    counts = (f"{csv_file.name}: {plan.rows} rows — {len(plan.files)} new in {folder}, "
              f"{plan.already} already imported, {plan.reported_rows} reported")
    if write:
        written = sum(1 for _ in importer.write(root, plan.files))
        echo(f"{counts}; wrote {written} file(s)", err=True)
    else:
        echo(f"{counts}; nothing written — check the report, then run again with --write", err=True)
    if any(issue.severity == "error" for issue in plan.issues):
        sys.exit(1)


@main.command("schema")
@click.option("--out", "out", type=click.Path(file_okay=False, path_type=Path),
              default=Path(EDITOR_SCHEMAS), show_default=True,
              help="Folder to write the schemas into (relative to the catalog's root).")
@click.pass_obj
@_friendly
def schema_command(root: Path, out: Path) -> None:
    """Write the JSON Schemas with catalog.yaml's vocabularies inlined, for editors."""
    from . import scaffold
    config, issues = load_config(root)
    if config is None:
        raise InvalidData(issues)
    folder = root / out
    schemas = editor_schemas(root, config)
    if not out.is_absolute():  # a folder given whole is the user's choice; one in the catalog is checked
        scaffold.refuse_links(root, [(out / name).as_posix() for name in schemas], "schema")
    for name, text in schemas.items():
        scaffold.write_file(folder / name, text)
        echo(f"wrote {folder / name}", err=True)


def _event(event_file: Path) -> dict[str, Any]:
    try:
        return json.loads(event_file.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise click.UsageError(f"cannot read the event file {event_file} ({error})") from None


def _step_outputs(**values: str) -> None:
    """Hand values to later workflow steps (GITHUB_OUTPUT); only ids and handles, never free text."""
    output = os.environ.get("GITHUB_OUTPUT")
    if output:
        with open(output, "a", encoding="utf-8") as handle:
            handle.writelines(f"{key}={value}\n" for key, value in values.items())


EVENT_OPTION = click.option("--event", "event_file", type=click.Path(dir_okay=False, path_type=Path),
                            required=True, help="The workflow's event payload ($GITHUB_EVENT_PATH).")
COMMENT_OPTION = click.option("--comment", "comment_file",
                              type=click.Path(dir_okay=False, path_type=Path), required=True,
                              help="Where to write the comment for the issue (Markdown).")


@main.command("request-check")
@EVENT_OPTION
@COMMENT_OPTION
@click.pass_obj
@_friendly
def request_check_command(root: Path, event_file: Path, comment_file: Path) -> None:
    """Check a reference-request issue against the advocate's limits (used by a workflow)."""
    from . import issueform
    outcome = issueform.check_request(root, _event(event_file), dt.date.today())
    comment_file.write_text(outcome.comment + "\n", encoding="utf-8")
    _step_outputs(ok=str(outcome.ok).lower(), owner=outcome.owner_handle)
    echo("request can go ahead" if outcome.ok else "request declined: see the comment")


@main.command("log-from-issue")
@EVENT_OPTION
@click.option("--verdict", "recorded", required=True, metavar="LINE",
              help="The verdict the check recorded: the last line of the bot's own verdict "
                   "comment ('' when there is none).")
@COMMENT_OPTION
@click.pass_obj
@_friendly
def log_from_issue_command(root: Path, event_file: Path, recorded: str, comment_file: Path) -> None:
    """Log the activity a fulfilled reference request was accepted for (used by a workflow); a
    request edited since, or never accepted, is refused in the comment."""
    from . import issueform
    outcome = issueform.log_request(root, _event(event_file), recorded, dt.date.today())
    comment_file.write_text(outcome.message + "\n", encoding="utf-8")
    _step_outputs(path=outcome.path or "")
    echo(outcome.message)


@main.command("verify-from-issue")
@EVENT_OPTION
@COMMENT_OPTION
@click.pass_obj
@_friendly
def verify_from_issue_command(root: Path, event_file: Path, comment_file: Path) -> None:
    """Set `last_verified` from a "Mark as verified" issue (used by a workflow)."""
    from . import issueform
    outcome = issueform.verify_from_event(root, _event(event_file), dt.date.today())
    comment_file.write_text(outcome.comment + "\n", encoding="utf-8")
    _step_outputs(path=outcome.path or "", owner=outcome.owner_handle)
    echo(f"set last_verified in {outcome.path}" if outcome.path else "nothing changed: see the comment")


@main.command("verify")
@click.argument("advocate_id", metavar="ADVOCATE")
@click.option("--date", "day", callback=_iso_date, metavar="YYYY-MM-DD",
              help="The day the profile was confirmed with the advocate (default: today).")
@click.pass_obj
@_friendly
def verify_command(root: Path, advocate_id: str, day: dt.date | None) -> None:
    """Mark a profile as verified: set its last_verified, keeping the file as written."""
    today = dt.date.today()
    path, changed = nominate.mark_verified(root, advocate_id, day or today, today)
    echo(f"last_verified set to {(day or today).isoformat()} in {path.relative_to(root)}" if changed
         else f"{path.relative_to(root)} was verified on that day or later: nothing changed")


@main.command("nominate-from-issue")
@EVENT_OPTION
@COMMENT_OPTION
@click.option("--as-of", callback=_iso_date, metavar="YYYY-MM-DD", help="Nomination date.")
@click.pass_obj
@_friendly
def nominate_from_issue_command(root: Path, event_file: Path, comment_file: Path,
                                as_of: dt.date | None) -> None:
    """Turn a nomination issue into a nomination file (used by a workflow; body parsed, not run)."""
    from . import issueform
    outcome = issueform.nominate_from_event(root, _event(event_file), as_of or dt.date.today())
    comment_file.write_text(outcome.comment + "\n", encoding="utf-8")
    _step_outputs(path=outcome.path or "")
    echo(outcome.path or "no nomination written: see the comment")


@main.group("report")
def report_group() -> None:
    """Program reports: usage (burnout), coverage against targets, value, the digest."""


REPORT_FORMAT = click.option("--format", "fmt", type=click.Choice(["text", "markdown", "json"]),
                             default="text", show_default=True, help="How to print the report.")
REPORT_AS_OF = click.option("--as-of", callback=_iso_date, metavar="YYYY-MM-DD",
                            help="Report as of this day instead of today.")


@report_group.command("usage")
@REPORT_FORMAT
@REPORT_AS_OF
@click.pass_obj
@_friendly
def report_usage(root: Path, fmt: str, as_of: dt.date | None) -> None:
    """Most-asked advocates, those near a limit, the willing ones never asked, and who is owed
    a thank-you (recognition.follow_up_days in catalog.yaml)."""
    catalog, today = _catalog_as_of(root, as_of)
    found = activity.usage(catalog, today, catalog.config.limits)
    owed = recognition.owed_by_all(catalog.advocates, today, catalog.config)
    echo(reporters.usage_report(found, today, fmt, owed, catalog.config))


@report_group.command("coverage")
@REPORT_FORMAT
@REPORT_AS_OF
@click.option("--fail-on-gap", is_flag=True, help="Exit 1 when any target has a gap.")
@click.pass_obj
@_friendly
def report_coverage(root: Path, fmt: str, as_of: dt.date | None, fail_on_gap: bool) -> None:
    """Active, willing, consenting advocates against the targets in targets.yaml, gaps first."""
    catalog, today = _catalog_as_of(root, as_of)
    rows = coverage.coverage(catalog.advocates, catalog.targets, today)
    echo(reporters.coverage_report(rows, fmt))
    if fail_on_gap and any(row.gap for row in rows):
        sys.exit(1)


VALUE_SINCE = click.option("--since", callback=_iso_date, metavar="YYYY-MM-DD",
                           help="First day counted (default: the first day of the last four "
                                "quarters, this one included).")
VALUE_UNTIL = click.option("--until", callback=_iso_date, metavar="YYYY-MM-DD",
                           help="Last day counted, included (default: today, or --as-of).")


@report_group.command("value")
@VALUE_SINCE
@VALUE_UNTIL
@REPORT_FORMAT
@REPORT_AS_OF
@click.pass_obj
@_friendly
def report_value(root: Path, since: dt.date | None, until: dt.date | None, fmt: str,
                 as_of: dt.date | None) -> None:
    """Activities, influenced and won opportunities by quarter, region, industry and product,
    freshness health, nominations waiting: the last four quarters unless --since/--until say
    otherwise. A deal is an activity with an opportunity and an amount or an outcome."""
    try:
        report.value_period(as_of or dt.date.today(), since, until)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    catalog, today = _catalog_as_of(root, as_of)
    echo(reporters.value_report(report.value(catalog, today, since, until)
                                | report.waiting(catalog, today), fmt))


@report_group.command("activities")
@click.option("--since", callback=_iso_date, metavar="YYYY-MM-DD",
              help="First day (default: the log's first).")
@click.option("--until", callback=_iso_date, metavar="YYYY-MM-DD",
              help="Last day, included (default: today, or --as-of).")
@click.option("--format", "fmt", type=click.Choice(["csv", "json"]), default="csv",
              show_default=True, help="csv is for Excel: UTF-8 with a byte order mark.")
@REPORT_AS_OF
@click.pass_obj
@_friendly
def report_activities(root: Path, since: dt.date | None, until: dt.date | None, fmt: str,
                      as_of: dt.date | None) -> None:
    """The activity log of the advocates the site lists, as the site's value/activities.csv has
    it: who, company, date, activity, requested by, opportunity, amount, outcome; never notes."""
    from . import exports

    if since and until and until < since:
        raise click.UsageError(f"--until {until.isoformat()} is before --since {since.isoformat()}")
    catalog, today = _catalog_as_of(root, as_of)
    rows = exports.activity_rows(catalog.config, report.published_activity(catalog, today, since, until))
    if fmt == "json":
        echo(json.dumps(rows, ensure_ascii=False, indent=2))
    else:
        echo(exports.activities_csv(rows), nl=False)


@report_group.command("owner")
@click.argument("owner_id", metavar="OWNER")
@REPORT_FORMAT
@REPORT_AS_OF
@click.pass_obj
@_friendly
def report_owner(root: Path, owner_id: str, fmt: str, as_of: dt.date | None) -> None:
    """What one owner holds and owes: profiles to verify, thank-yous, open requests, nominations."""
    from . import owners

    catalog, today = _catalog_as_of(root, as_of)
    if owner_id not in catalog.config.owners:
        raise click.UsageError(f"'{owner_id}' is not an owner in catalog.yaml — use one of: "
                               + ", ".join(catalog.config.owners))
    found = owners.agenda(catalog, owner_id, today)
    echo(reporters.owner_report(owners.rows(found, catalog, today), found.nominations, fmt))


@report_group.command("digest")
@click.option("--since", callback=_iso_date, metavar="YYYY-MM-DD",
              help="First day of the period (default: Monday of last week).")
@click.option("--until", callback=_iso_date, metavar="YYYY-MM-DD",
              help="Last day, included (default: today, or the Sunday of last week).")
@click.option("--week", metavar="YYYY-Www|last",
              help="One ISO week instead: 2026-W47, or `last` for the week before this one.")
@click.option("--format", "fmt", type=click.Choice(["markdown", "html", "text", "json", "slack", "teams"]),
              default="markdown", show_default=True,
              help="How to print it; slack and teams print an incoming-webhook message.")
@REPORT_AS_OF
@click.pass_obj
@_friendly
def report_digest(root: Path, since: dt.date | None, until: dt.date | None, week: str | None,
                  fmt: str, as_of: dt.date | None) -> None:
    """What happened in a period, for the rest of the company: who joined, who was asked and
    what was won, new quotes and material, who was thanked, coverage moves, what went stale."""
    from . import digest

    try:
        period = digest.period_from(as_of or dt.date.today(), since, until, week)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    catalog, _ = _catalog_as_of(root, as_of)
    found = digest.digest(catalog, period, as_of or dt.date.today())
    if fmt == "html":
        from . import layers, render

        echo(render.digest_document(layers.layers(root, "templates"), found))
    else:
        echo(reporters.DIGEST_FORMATS[fmt](found), nl=fmt not in ("markdown", "text"))


@main.command("log")
@click.argument("advocate_id", metavar="ADVOCATE")
@click.option("--type", "kind", required=True, help="Activity type id from catalog.yaml.")
@click.option("--opportunity", required=True, help="The account or deal it supported.")
@click.option("--requested-by", required=True, help="The employee or team who asked.")
@click.option("--date", "day", callback=_iso_date, metavar="YYYY-MM-DD",
              help="When it took place (default: today).")
@click.option("--amount", type=click.FloatRange(min=0), help="Deal value it influenced.")
@click.option("--outcome", type=click.Choice(["won", "lost", "open"]), help="Opportunity outcome.")
@click.option("--notes", help="Anything worth knowing next time.")
@click.option("--exception", help="Why a burnout limit was knowingly exceeded (kept in the log).")
@click.pass_obj
@_friendly
def log_command(root: Path, advocate_id: str, kind: str, opportunity: str, requested_by: str,
                day: dt.date | None, amount: float | None, outcome: str | None,
                notes: str | None, exception: str | None) -> None:
    """Append an activity to an advocate's log (the file is checked before it is written)."""
    today = dt.date.today()
    entry = {"date": (day or today).isoformat(), "type": kind, "requested_by": requested_by,
             "opportunity": opportunity, "amount": int(amount) if amount and amount.is_integer()
             else amount, "outcome": outcome, "notes": notes, "exception": exception}
    path, warnings = nominate.log_activity(root, advocate_id, entry, max(day or today, today))
    echo(f"added {kind} for {opportunity} to {path.relative_to(root)}")
    for warning in warnings:
        echo(str(warning), err=True)
