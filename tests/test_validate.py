"""Validation of the whole catalog: the sample data, cross-file rules, the CLI's output and exit codes."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from advocate_catalog.cli import main
from advocate_catalog.load import parse
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


# Values every key is given in turn: wrong kinds, non-dates, control characters and noncharacters.
WRONG = (None, 7, "", ["x"], {"x": 1}, "2026-02-30", "x" * 300, "2026-2-3", "0000-01-01",
         "2023-02-29", "2024-02-29", "a\x1b[8mb", "\x00", "x\u0085", "x\ufffe", "\ufdd0",
         "a\tb", "a\nb", "\n", " \ufeff ")


def _edits(data: dict) -> list[dict]:
    """One-step changes to one mapping: a key removed, a wrong value, a trailing newline, an extra key."""
    out = [{**data, "unexpected_key": "x"}]
    for key, value in data.items():
        out.append({k: v for k, v in data.items() if k != key})
        out += [{**data, key: wrong} for wrong in WRONG]
        if isinstance(value, str):
            out += [{**data, key: value + "\n"}, {**data, key: value + "\x7f"}]
    return out


def _variants(data: dict) -> list:
    """A file's data and one-step mutations of it, at the top level and in nested mappings
    (company, and the first item of each list of mappings)."""
    out = [data, *_edits(data)]
    for key, value in data.items():
        if isinstance(value, dict) and key != "willingness":
            out += [{**data, key: edited} for edited in _edits(value)]
        elif isinstance(value, list) and value and isinstance(value[0], dict):
            out += [{**data, key: [edited, *value[1:]]} for edited in _edits(value[0])]
        elif isinstance(value, list) and value and isinstance(value[0], str):
            out += [{**data, key: [value[0] + "\n"]}, {**data, key: [value[0], "\x1b"]}]
    return out


def _schemas(root: Path = ROOT):
    from advocate_catalog.validate import compile_schemas, load_config

    config, _ = load_config(root)
    return compile_schemas(root, config)


def test_fast_check_agrees_with_jsonschema_both_ways() -> None:
    """jsonschema-rs passes exactly the files python-jsonschema finds nothing in: it never lets
    through what the explaining validator rejects, and never sends a good file to be explained."""
    from advocate_catalog.load import read

    schemas = _schemas()
    files = [*sorted((ROOT / "advocates").glob("*.yaml")), *sorted((ROOT / "nominations").glob("*.yaml")),
             *sorted((ROOT / "tests" / "bad_inputs").glob("*.yaml")),
             *sorted((ROOT / "tests" / "cases" / "valid").glob("*.yaml"))]
    compared, disagreements, verdicts = 0, [], set()
    for i, file in enumerate(files):
        doc = read(file, file.name)
        if not isinstance(doc.data, dict):
            continue
        checker = schemas.nomination if "nominated_by" in doc.data else schemas.advocate
        # Every 9th mutation, starting one further on in each file: ~6,000 in ~10 s (the
        # explaining validator takes a millisecond or more per profile), every kind of change.
        for data in _variants(doc.data)[i % 9::9]:
            compared += 1
            passes = checker.passes(data)
            verdicts.add(passes)
            if passes != (not any(True for _ in checker.explain.iter_errors(data))):
                disagreements.append((file.name, data))
    assert compared > 5000
    assert verdicts == {True, False}
    assert not disagreements, f"{len(disagreements)} disagreements, e.g. {disagreements[:2]}"


BASE = parse(MINIMAL, "minimal-profile.yaml").data
LINE = {"$ref": "#/$defs/line"}
# 2020-12 keywords draft 7 does not know or reads otherwise: (what to add to the advocate
# schema, a profile that breaks it). BASE keeps to each of them.
KEYWORDS = {
    "dependentRequired": ({"dependentRequired": {"summary": ["outcomes"]}},
                          {**BASE, "summary": "Cut reporting time in half."}),
    "dependentSchemas": ({"dependentSchemas": {"summary": {"required": ["use_cases"]}}},
                         {**BASE, "summary": "Cut reporting time in half."}),
    "unevaluatedProperties": (
        {"properties": {"company": {"additionalProperties": None, "unevaluatedProperties": False}}},
        {**BASE, "company": {**BASE["company"], "ceo": "Kari Nordmann"}}),
    "prefixItems": ({"properties": {"products": {"prefixItems": [{"const": "analytics"}]}}},
                    {**BASE, "products": ["pipelines", "analytics"]}),
    "minContains": ({"properties": {"outcomes": {"contains": {"pattern": "[0-9]"}, "minContains": 2}}},
                    {**BASE, "outcomes": ["Close cut from 9 days to 4", "Happier team"]}),
    "maxContains": ({"properties": {"outcomes": {"contains": {"pattern": "[0-9]"}, "maxContains": 1}}},
                    {**BASE, "outcomes": ["Close cut from 9 days to 4", "40 dashboards retired"]}),
    "$ref with siblings": ({"$defs": {"short_line": {**LINE, "maxLength": 12}},
                            "properties": {"title": {"$ref": "#/$defs/short_line"}}},
                           {**BASE, "title": "Head of Data and Analytics"}),
    "const": ({"properties": {"status": {"const": "active"}}}, {**BASE, "status": "resting"}),
}


def _with_schema(tmp_path: Path, addition: dict) -> Path:
    """A scratch repository whose advocate schema gains `addition`: top-level keywords as given,
    entries of `properties` and `$defs` merged into what is there (None removes a keyword)."""
    import json

    from conftest import copy_repo

    repo = copy_repo(tmp_path / "repo", with_data=False)
    path = repo / "schemas" / "advocate.schema.json"
    schema = json.loads(path.read_text())
    for key, value in addition.items():
        if key in ("properties", "$defs"):
            for name, extra in value.items():
                merged = {**schema[key].get(name, {}), **extra}
                schema[key][name] = {k: v for k, v in merged.items() if v is not None}
        else:
            schema[key] = value
    path.write_text(json.dumps(schema, indent=2))
    return repo


@pytest.mark.parametrize("keyword", KEYWORDS)
def test_2020_12_keywords_are_enforced_by_both_validators(tmp_path: Path, keyword: str) -> None:
    addition, broken = KEYWORDS[keyword]
    checker = _schemas(_with_schema(tmp_path, addition)).advocate
    assert checker.passes(BASE) and not any(checker.explain.iter_errors(BASE))
    assert not checker.passes(broken)
    assert any(checker.explain.iter_errors(broken))


def test_validate_enforces_dependent_required(repo: Path) -> None:
    """The declared draft is the one enforced: a draft 7 check (which ignores dependentRequired)
    once passed this file."""
    import json

    path = repo / "schemas" / "advocate.schema.json"
    path.write_text(json.dumps({**json.loads(path.read_text()),
                                "dependentRequired": {"summary": ["outcomes"]}}, indent=2))
    write(repo / "advocates", "mina-lund.yaml",
          _profile("mina-lund") + "summary: Cut reporting time in half.\n")
    errors = validate(repo, AS_OF).errors
    assert [e.path for e in errors] == ["advocates/mina-lund.yaml"]
    assert "outcomes" in errors[0].message


def test_schemas_refer_to_each_other_offline(tmp_path: Path) -> None:
    """The nomination schema's `$ref`s into the advocate schema resolve from the registry; a
    reference to any other address is an error, never a download."""
    schemas = _schemas()
    nomination = {"nominated_by": "grace.whitfield@tessellate.example", "nominated_on": "2026-11-01",
                  "reason": "Says so to anyone who asks.", **{k: BASE[k] for k in (
                      "id", "name", "title", "company", "products", "owner")}}
    assert schemas.nomination.passes(nomination)
    assert not schemas.nomination.passes({**nomination, "title": "a\x1bb"})  # advocate's $defs/line
    remote = {"properties": {"title": {"$ref": "https://schemas.example/line.json"}}}
    with pytest.raises(ValueError, match=r"does not fetch|Retrieval is disabled"):
        _schemas(_with_schema(tmp_path, remote))


def test_text_refuses_control_characters_and_noncharacters() -> None:
    from advocate_catalog.load import read

    checker = _schemas().advocate
    doc = read(CASES / "valid" / "minimal-profile.yaml", "advocates/minimal-profile.yaml")
    bad = [("title", {**BASE, "title": "Head \x1b[8mof Data"}),
           ("company.name", {**BASE, "company": {**BASE["company"], "name": "Fjordlys\x00 Energi"}}),
           ("story", {**BASE, "story": "Mina moved\u0085reporting."}),
           ("story", {**BASE, "story": "Mina moved reporting.\ufffe"})]
    for name, data in bad:
        doc.data = data
        assert not checker.passes(data), name
        issues = checker.issues(doc)
        assert len(issues) == 1 and issues[0].message.startswith(f"{name} '"), issues
        assert "is not in the expected form" in issues[0].message
    for story in ("Mina moved reporting.\n\n\tIt took a month.\n", "Line one\nline two"):
        data = {**BASE, "story": story}
        assert checker.passes(data) and not any(checker.explain.iter_errors(data))
    for title in ("Head of Data\n", "Head\tof Data", "Head\nof Data"):
        data = {**BASE, "title": title}
        assert not checker.passes(data) and any(checker.explain.iter_errors(data)), repr(title)
    assert not checker.passes({**BASE, "title": "\ud800"})  # not UTF-8: python-jsonschema judges it


@pytest.mark.parametrize(("value", "valid"), [
    ("2024-02-29", True), ("2000-02-29", True), ("1000-01-01", True), ("9999-12-31", True),
    ("2023-02-29", False), ("1900-02-29", False), ("2026-04-31", False), ("2026-13-01", False),
    ("2026-00-10", False), ("2026-01-00", False), ("2026-01-32", False), ("0000-01-01", False),
    ("0000-02-29", False), ("0999-12-31", False), ("2026-2-3", False), ("2026-02-3", False),
    ("20260203", False), ("2026-W05-1", False), ("2026-034", False), ("2026-02-03T00:00", False),
    ("2026-02-03\n", False), (" 2026-02-03", False), ("\u0661\u0662\u0663\u0664-01-01", False),
    ("\uff12\uff10\uff12\uff16-02-03", False), ("+2026-02-03", False),
])
def test_both_validators_read_dates_alike(value: str, valid: bool) -> None:
    checker = _schemas().advocate
    data = {**BASE, "last_verified": value}
    assert checker.passes(data) is valid
    assert (not any(checker.explain.iter_errors(data))) is valid


@pytest.mark.skipif(not hasattr(os, "fork"), reason="workers are forked only where fork exists")
def test_fast_checker_works_in_a_forked_worker() -> None:
    """check_files forks workers that inherit the compiled checker (a native object)."""
    checker = _schemas().advocate
    cases = [BASE, {**BASE, "title": "a\x1bb"}, {**BASE, "last_verified": "2023-02-29"},
             {**BASE, "owner": "nobody"}]
    expected = [checker.passes(data) for data in cases]
    assert expected == [True, False, False, False]
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the worker: answer, and leave without running pytest's exit handlers
        try:
            os.write(write_end, bytes(checker.passes(data) for data in cases))
        finally:
            os._exit(0)
    os.close(write_end)
    _, status = os.waitpid(pid, 0)
    assert status == 0 and list(os.read(read_end, 16)) == expected


def _named(file_id: str, company: str, *extra: str, name: str = "David Lima") -> str:
    """A nomination of `name` at `company`; `extra` lines are added at the end."""
    return "\n".join([NOMINATION.format(id=file_id).replace("Pia Holm", name).replace(
        "Holm Foods", company).rstrip("\n"), *extra]) + "\n"


def _duplicates(repo: Path) -> list[str]:
    return [m for m in _messages(repo) if "same person" in m or "not_same_as" in m]


def test_two_crm_contacts_of_one_name_at_two_companies_are_two_people(repo: Path) -> None:
    """The import of issue 24: two David Limas, each with the CRM contact id they came from."""
    write(repo / "nominations", "david-lima.yaml",
          _named("david-lima", "Acme", "private:", "  external_id: 003A"))
    write(repo / "nominations", "david-lima-brio.yaml",
          _named("david-lima-brio", "Brio", "private:", "  external_id: 003B"))
    assert _duplicates(repo) == []


def test_a_name_already_in_the_catalog_is_reported_until_not_same_as_says_otherwise(repo: Path) -> None:
    write(repo / "nominations", "david-lima.yaml", _named("david-lima", "Acme"))
    write(repo / "nominations", "david-lima-brio.yaml",
          _named("david-lima-brio", "Brio", "private:", "  external_id: 003B"))
    assert _duplicates(repo) == [  # on the last file read, naming the others
        "nominations/david-lima.yaml:2:7: warning: 'David Lima' looks like the same person as "
        "nominations/david-lima-brio.yaml — if it is, keep one file and merge what is new into it; "
        "if not, list the other ids under `not_same_as:` in this file"]
    for file_id, line in (("david-lima", "not_same_as: [david-lima-brio]"),
                          ("david-lima-brio", "not_same_as: [david-lima]")):
        before = (repo / "nominations" / f"{file_id}.yaml").read_text()
        write(repo / "nominations", f"{file_id}.yaml", before + line + "\n")
        assert _duplicates(repo) == []  # either file naming the other is enough
        write(repo / "nominations", f"{file_id}.yaml", before)
    result = CliRunner().invoke(main, ["--root", str(repo), "validate", "--strict", "--as-of",
                                       AS_OF.isoformat()])
    assert result.exit_code == 1


def test_one_name_at_one_company_under_two_crm_ids_is_still_reported(repo: Path) -> None:
    """Two CRM contacts for one name at one company is how a CRM duplicate looks."""
    write(repo / "nominations", "david-lima.yaml",
          _named("david-lima", "Acme", "private:", "  external_id: 003A"))
    write(repo / "nominations", "david-lima-2.yaml",
          _named("david-lima-2", "ACME", "private:", "  external_id: 003B"))
    [warning] = _duplicates(repo)
    assert "looks like the same person as nominations/david-lima-2.yaml at the same company" in warning
    write(repo / "nominations", "david-lima-2.yaml", _named(
        "david-lima-2", "ACME", "not_same_as:", "  - david-lima", "private:", "  external_id: 003B"))
    assert _duplicates(repo) == []


def test_every_look_alike_pair_is_reported_in_one_run(repo: Path) -> None:
    """Ana without a CRM id looks like both CRM contacts (read after her); they do not look
    like each other. Each pair is named once, in as few lines as that takes."""
    write(repo / "nominations", "ana-a.yaml", _named("ana-a", "Acme", name="Ana Lima"))
    write(repo / "nominations", "ana-b.yaml",
          _named("ana-b", "Brio", "private:", "  external_id: 003B", name="Ana Lima"))
    write(repo / "nominations", "ana-c.yaml",
          _named("ana-c", "Cora", "private:", "  external_id: 003C", name="Ana Lima"))
    assert [m.split(": warning: ") for m in _duplicates(repo)] == [
        ["nominations/ana-b.yaml:2:7", "'Ana Lima' looks like the same person as nominations/ana-a.yaml"
         " — if it is, keep one file and merge what is new into it; if not, list the other ids under "
         "`not_same_as:` in this file"],
        ["nominations/ana-c.yaml:2:7", "'Ana Lima' looks like the same person as nominations/ana-a.yaml"
         " — if it is, keep one file and merge what is new into it; if not, list the other ids under "
         "`not_same_as:` in this file"]]
    write(repo / "nominations", "ana-a.yaml",
          _named("ana-a", "Acme", "not_same_as: [ana-b, ana-c]", name="Ana Lima"))
    assert _duplicates(repo) == []


def test_not_same_as_naming_no_file_is_a_warning_at_the_id(repo: Path) -> None:
    write(repo / "nominations", "david-lima.yaml", _named("david-lima", "Acme"))
    write(repo / "nominations", "david-lima-brio.yaml", _named(
        "david-lima-brio", "Brio", "not_same_as:", "  - david-lim", "  - david-lima-brio", "  - david-lima"))
    assert _duplicates(repo) == [
        "nominations/david-lima-brio.yaml:11:5: warning: not_same_as names 'david-lim', which is no "
        "file in advocates/ or nominations/ — did you mean 'david-lima'?",
        "nominations/david-lima-brio.yaml:12:5: warning: not_same_as names this file's own id "
        "'david-lima-brio' — remove it: list the ids of the other files with this name"]
    write(repo / "nominations", "david-lima-brio.yaml", _named(
        "david-lima-brio", "Brio", "not_same_as: [David Lima]"))
    assert any("not_same_as[0] 'David Lima' is not in the expected form" in m and ": error: " in m
               for m in _messages(repo))
