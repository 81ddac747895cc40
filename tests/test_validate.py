"""Validation of the whole catalog: the sample data, cross-file rules, the CLI's output and exit codes."""

from __future__ import annotations

import shutil
from pathlib import Path

from click.testing import CliRunner

from advocate_catalog.cli import main
from advocate_catalog.validate import validate

from conftest import AS_OF, ROOT, write

CASES = Path(__file__).parent / "cases"
BAD_INPUTS = Path(__file__).parent / "bad_inputs"
MINIMAL = (CASES / "valid" / "minimal-profile.yaml").read_text()
NOMINATION = """\
id: {id}
name: Pia Holm
title: Data Lead
company: {{name: Holm Foods, industry: retail, size: small, region: emea, country: DK}}
products: [analytics]
nominated_by: grace.whitfield@tessellate.example
nominated_on: 2026-11-01
owner: elise-fontaine
reason: Rolled out dashboards to 40 stores in a month and says so to anyone who asks.
"""


def _profile(advocate_id: str) -> str:
    return MINIMAL.replace("id: minimal-profile", f"id: {advocate_id}")


def _messages(repo: Path) -> list[str]:
    return [str(i) for i in validate(repo, AS_OF).issues]


def test_sample_data_is_valid_and_large_enough(sample_catalog) -> None:
    advocates = sample_catalog.advocates
    assert len(advocates) >= 40 and len(sample_catalog.nominations) >= 5
    assert len({a.data["company"]["industry"] for a in advocates}) >= 8
    assert len({a.data["company"]["region"] for a in advocates}) >= 5
    assert len({p for a in advocates for p in a.data["products"]}) >= 6
    assert {a.status for a in advocates} == {"nominated", "active", "resting", "alumni", "inactive"}


def test_nomination_cannot_reuse_an_advocate_id(repo: Path) -> None:
    write(repo / "advocates", "mina-lund.yaml", _profile("mina-lund"))
    write(repo / "nominations", "mina-lund.yaml", NOMINATION.format(id="mina-lund"))
    assert ("nominations/mina-lund.yaml:1:5: error: 'mina-lund' is already an advocate "
            "(advocates/mina-lund.yaml) — update that profile instead, or pick another id"
            in _messages(repo))


def test_minimal_nomination_is_valid(repo: Path) -> None:
    write(repo / "nominations", "pia-holm.yaml", NOMINATION.format(id="pia-holm"))
    result = validate(repo, AS_OF)
    assert result.issues == [] and [n.id for n in result.catalog.nominations] == ["pia-holm"]


def test_bad_file_names_are_reported(repo: Path) -> None:
    write(repo / "advocates", "Mina Lund.yaml", _profile("mina-lund"))
    write(repo / "advocates", "mina-lund.yml", _profile("mina-lund"))
    (repo / "advocates" / "linked.yaml").symlink_to(ROOT / "catalog.yaml")
    messages = _messages(repo)
    assert ("advocates/Mina Lund.yaml:1:1: error: the file name 'Mina Lund.yaml' is not a lowercase id "
            "— rename it to mina-lund.yaml (lowercase letters, digits, hyphens)") in messages
    assert ("advocates/mina-lund.yml:1:1: error: the file ends in .yml — rename it to mina-lund.yaml"
            in messages)
    link_error = "advocates/linked.yaml:1:1: error: the file is a symbolic link"
    assert any(m.startswith(link_error) for m in messages)


def test_every_problem_in_every_file_is_reported(repo: Path) -> None:
    write(repo / "advocates", "one.yaml", _profile("one").replace("region: emea", "region: mars"))
    write(repo / "advocates", "two.yaml", _profile("two").replace("status: active", "status: busy")
          .replace("industry: energy", "industry: oil"))
    paths = [str(m).split(":")[0:2] for m in validate(repo, AS_OF).errors]
    assert paths == [["advocates/one.yaml", "10"], ["advocates/two.yaml", "8"], ["advocates/two.yaml", "17"]]


def test_taxonomy_edits_change_what_is_allowed(repo: Path) -> None:
    write(repo / "advocates", "mina.yaml", _profile("mina").replace("industry: energy", "industry: mining"))
    assert len(_messages(repo)) == 1
    config = repo / "catalog.yaml"
    config.write_text(config.read_text().replace(
        "    - {id: telecom, label: Telecommunications}",
        "    - {id: telecom, label: Telecommunications}\n    - {id: mining, label: Mining}"))
    assert _messages(repo) == []


def test_broken_config_is_reported_and_stops(repo: Path) -> None:
    config = repo / "catalog.yaml"
    config.write_text(config.read_text().replace("stale_after_days: 180", "stale_after_days: soon"))
    (message,) = _messages(repo)
    assert message.startswith("catalog.yaml:")
    assert "freshness.stale_after_days must be a whole number" in message


def test_cli_validate_sample_exits_zero() -> None:
    result = CliRunner().invoke(main, ["--root", str(ROOT), "validate", "--as-of", "2026-11-23"])
    assert result.exit_code == 0, result.output
    assert "0 error(s)" in result.output


def test_cli_validate_broken_file_exits_one_with_one_line_per_issue(repo: Path) -> None:
    shutil.copy(BAD_INPUTS / "region-not-allowed.yaml", repo / "advocates")
    result = CliRunner().invoke(main, ["--root", str(repo), "validate", "--as-of", "2026-11-23"])
    assert result.exit_code == 1
    assert result.stdout.splitlines()[0].startswith(
        "advocates/region-not-allowed.yaml:10:11: error: company.region 'Mars' is not allowed — use one of:")
    assert "Traceback" not in result.output


def test_cli_validate_github_format(repo: Path) -> None:
    shutil.copy(BAD_INPUTS / "region-not-allowed.yaml", repo / "advocates")
    result = CliRunner().invoke(main, ["--root", str(repo), "validate", "--format", "github"])
    assert result.stdout.startswith(
        "::error file=advocates/region-not-allowed.yaml,line=10,col=11::company.region 'Mars'")


def test_cli_bad_as_of_is_a_usage_error() -> None:
    result = CliRunner().invoke(main, ["--root", str(ROOT), "validate", "--as-of", "tomorrow"])
    assert result.exit_code == 2 and "is not a date" in result.output


def test_every_command_has_help() -> None:
    for name, command in main.commands.items():
        assert command.help, f"{name} has no help text"
        result = CliRunner().invoke(main, [name, "--help"])
        first_line = " ".join(command.help.splitlines()[0].split())
        assert result.exit_code == 0 and first_line in " ".join(result.output.split())


def _variants(data: dict) -> list:
    """A profile and one-step mutations of it: each key removed, or given a value of a wrong kind."""
    out = [data]
    for key in data:
        out.append({k: v for k, v in data.items() if k != key})
        for wrong in (None, 7, "", ["x"], {"x": 1}, "2026-02-30", "x" * 300):
            out.append({**data, key: wrong})
    company = data.get("company")
    if isinstance(company, dict):
        out += [{**data, "company": {**company, field: "NOPE"}} for field in company]
    return out


def test_compiled_check_agrees_with_jsonschema() -> None:
    """The compiled validator passes a file only when jsonschema finds nothing: it may never let
    through what the explaining validator would reject."""
    from advocate_catalog.load import read
    from advocate_catalog.validate import compile_schemas, load_config

    config, _ = load_config(ROOT)
    schemas = compile_schemas(ROOT, config)
    files = [*sorted((ROOT / "advocates").glob("*.yaml")), *sorted((ROOT / "nominations").glob("*.yaml")),
             *sorted((ROOT / "tests" / "bad_inputs").glob("*.yaml")),
             *sorted((ROOT / "tests" / "cases" / "valid").glob("*.yaml"))]
    compared = disagreements = 0
    for file in files:
        doc = read(file, file.name)
        if not isinstance(doc.data, dict):
            continue
        checker = schemas.nomination if "nominated_by" in doc.data else schemas.advocate
        for data in _variants(doc.data):
            compared += 1
            explained = not any(True for _ in checker.explain.iter_errors(data))
            disagreements += checker.passes(data) != explained
    assert compared > 5000
    assert disagreements == 0
