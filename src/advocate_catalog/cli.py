"""The command line: parse options, call one core function, print, exit. Only module using click."""

from __future__ import annotations

import datetime as dt
import sys
import traceback
from collections.abc import Callable
from functools import wraps
from pathlib import Path
from typing import Any

import click

from . import diff, freshness, git, nominate, reporters
from .build import build
from .errors import CatalogError, InvalidData
from .serve import server
from .validate import Result, load_config, validate, validated_catalog

ROOT_HELP = "Folder holding catalog.yaml, advocates/, nominations/, schemas/ and templates/."


def _iso_date(_ctx: click.Context, _param: click.Parameter, value: str | None) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not a date — write it as YYYY-MM-DD") from None


def _friendly(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn the core's errors into one line and exit 1; an unexpected crash points to --debug."""

    @wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        debug = click.get_current_context().find_root().params.get("debug", False)
        try:
            return command(*args, **kwargs)
        except InvalidData as error:
            click.echo(reporters.text(error.issues), err=True)
            click.echo(f"{error} — fix them and run again", err=True)
            sys.exit(1)
        except CatalogError as error:
            click.echo(f"error: {error}", err=True)
            sys.exit(1)
        except (click.exceptions.Exit, click.ClickException, SystemExit, KeyboardInterrupt):
            raise
        except Exception as error:
            if debug:
                traceback.print_exc()
            else:
                click.echo(f"internal error: {type(error).__name__}: {error} — this is a bug in "
                           "the catalog tool; run again with --debug for the traceback and report "
                           "it", err=True)
            sys.exit(70)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option("--root", type=click.Path(file_okay=False, path_type=Path), default=Path("."),
              show_default=True, help=ROOT_HELP)
@click.option("--debug", is_flag=True, help="Show the full traceback of an internal error.")
@click.pass_context
def main(ctx: click.Context, root: Path, debug: bool) -> None:
    """Validate, build and serve the customer advocate catalog."""
    ctx.obj = root.resolve()


def _summary(result: Result) -> str:
    catalog = result.catalog
    errors = len(result.errors)
    warnings = len(result.issues) - errors
    counts = (f"{len(catalog.advocates)} advocates, {len(catalog.nominations)} nominations"
              if catalog else "catalog.yaml could not be read")
    return f"{counts}: {errors} error(s), {warnings} warning(s)"


@main.command("validate")
@click.option("--format", "fmt", type=click.Choice(sorted(reporters.REPORTERS)), default="text",
              show_default=True, help="How to print the issues.")
@click.option("--strict", is_flag=True, help="Treat warnings as errors (CI uses this).")
@click.option("--as-of", callback=_iso_date, metavar="YYYY-MM-DD",
              help="Check dates against this day instead of today.")
@click.pass_obj
@_friendly
def validate_command(root: Path, fmt: str, strict: bool, as_of: dt.date | None) -> None:
    """Check every advocate and nomination file; print every problem, one per line."""
    result = validate(root, as_of)
    if result.issues:
        click.echo(reporters.REPORTERS[fmt](result.issues))
    click.echo(_summary(result), err=True)
    if result.errors or (strict and result.issues):
        sys.exit(1)


@main.command("build")
@click.option("--site", "site", type=click.Path(file_okay=False, path_type=Path),
              default=None, help="Output folder  [default: site/ under --root]")
@click.option("--as-of", callback=_iso_date, metavar="YYYY-MM-DD",
              help="Check dates against this day instead of today.")
@click.pass_obj
@_friendly
def build_command(root: Path, site: Path | None, as_of: dt.date | None) -> None:
    """Validate, then render the catalog and its search index into site/."""
    summary = build(root, site or root / "site", as_of,
                    progress=lambda message: click.echo(f"… {message}", err=True))
    click.echo(str(summary))


@main.command("serve")
@click.option("--port", type=click.IntRange(0, 65535), default=8000, show_default=True,
              help="Port on 127.0.0.1 to listen on.")
@click.option("--no-build", is_flag=True, help="Serve the existing site/ without building first.")
@click.pass_obj
@_friendly
def serve_command(root: Path, port: int, no_build: bool) -> None:
    """Build, then serve site/ on localhost for preview (Ctrl+C stops)."""
    site = root / "site"
    if not no_build:
        click.echo(str(build(root, site, progress=lambda m: click.echo(f"… {m}", err=True))))
    try:
        httpd = server(site, port=port)
    except OSError as error:
        raise click.UsageError(f"cannot listen on port {port} ({error.strerror}) — "
                               "pick another with --port") from None
    click.echo(f"serving {site} at http://127.0.0.1:{httpd.server_address[1]}/ — Ctrl+C stops")
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
    finally:
        httpd.server_close()


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
    today = as_of or dt.date.today()
    # "In the future" is about the real calendar, whatever day freshness is checked for.
    catalog = validated_catalog(root, max(today, dt.date.today()))
    only = git.changed_files(root, base) if base else None
    findings = freshness.check(catalog, today, only)
    click.echo(reporters.FRESHNESS_REPORTERS[fmt](findings, catalog.config, today))
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
    click.echo(reporters.DIFF_REPORTERS[fmt](diff.between(root, base, head)), nl=False)


# (option, prompt, vocabulary or None): what `nominate` asks, in order.
NOMINATION_QUESTIONS = [
    ("name", "Full name of the customer", None),
    ("title", "Their job title", None),
    ("persona", "Persona", "personas"),
    ("company", "Company name", None),
    ("industry", "Industry", "industries"),
    ("size", "Company size", "company_sizes"),
    ("region", "Region", "regions"),
    ("country", "Country (ISO code, e.g. NO, DE, US)", None),
    ("products", "Products they use (comma-separated)", "products"),
    ("owner", "Owner who will hold the relationship", "owners"),
    ("nominated_by", "Your name or work email", None),
    ("reason", "Why would they make a good advocate?", None),
]


@main.command("nominate")
@click.option("--id", "advocate_id", help="Id and file name (default: from the name).")
@click.option("--name", help="Full name of the customer.")
@click.option("--title", help="Their job title.")
@click.option("--persona", help="Persona id from catalog.yaml.")
@click.option("--company", help="Company name.")
@click.option("--industry", help="Industry id from catalog.yaml.")
@click.option("--size", help="Company size id from catalog.yaml.")
@click.option("--region", help="Region id from catalog.yaml.")
@click.option("--country", help="ISO 3166-1 alpha-2 country code.")
@click.option("--products", help="Product ids from catalog.yaml, comma-separated.")
@click.option("--owner", help="Owner id from catalog.yaml.")
@click.option("--nominated-by", "nominated_by", help="Your name or work email.")
@click.option("--reason", help="Why they would make a good advocate.")
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
    for key, question, vocabulary in NOMINATION_QUESTIONS:
        value = given.get(key)
        if value is None:
            choices = (list(config.owners) if vocabulary == "owners"
                       else config.ids(vocabulary) if vocabulary else None)
            hint = f" [{', '.join(choices)}]" if choices else ""
            value = click.prompt(f"{question}{hint}", type=str)
        answers[key] = value.strip()
    company = {"name": answers.pop("company"), "industry": answers.pop("industry"),
               "size": answers.pop("size"), "region": answers.pop("region"),
               "country": answers.pop("country").upper()}
    products = [p.strip() for p in answers.pop("products").split(",") if p.strip()]
    data = {"id": advocate_id, **answers, "company": company, "products": products}
    path = nominate.create(root, data, as_of or dt.date.today())
    click.echo(f"wrote {path.relative_to(root)} — commit it and open a pull request")


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
    click.echo(f"{promotion.source} → {promotion.target} ({how}); add what is missing (persona, "
               "story, willingness, consent), then set status: active")
