"""The recognition log: what validate warns about (with lines), what is owed, what a profile shows,
and that a gift's value never leaves the file."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from click.testing import CliRunner

from advocate_catalog.cli import main
from advocate_catalog.recognition import owed_by_all
from advocate_catalog.validate import validate

from conftest import AS_OF, ROOT, write

CASES = Path(__file__).parent / "cases"
PROFILE = (CASES / "valid" / "full-profile.yaml").read_text()


def _profile(activity: str, recognition: str = "", private: str = "") -> str:
    """The full test profile with the given activity, recognition and private gift lines."""
    text = PROFILE.replace("private:\n", f"activity:\n{activity}{recognition}private:\n{private}")
    assert text != PROFILE
    return text


def _catalog_yaml(repo: Path, block: str = "") -> None:
    """The sample's catalog.yaml with its `recognition:` block replaced by `block` (none: removed)."""
    config = repo / "catalog.yaml"
    text = re.sub(r"\nrecognition:\n(?:[ #].*\n|\n)*", "\n", config.read_text())
    config.write_text(text.replace("\nfreshness:", f"\n{block}\nfreshness:", 1))


@pytest.fixture(autouse=True)
def _no_rule(repo: Path) -> None:
    """Each test starts from no recognition rule, and sets the one it needs."""
    _catalog_yaml(repo)


CALL = ("  - {date: 2026-10-01, type: reference-call, requested_by: Sales, opportunity: Acme}\n"
        "  - {date: 2026-11-20, type: webinar, requested_by: Marketing, opportunity: Webinar}\n")


def _warnings(repo: Path) -> list[str]:
    result = validate(repo, AS_OF)
    assert not result.errors, result.errors
    return [str(issue) for issue in result.issues if issue.path.startswith("advocates/")]


def test_an_activity_without_a_recognition_warns_on_its_line_once_overdue(repo: Path) -> None:
    _catalog_yaml(repo, "recognition:\n  follow_up_days: 14\n")
    path = write(repo / "advocates", "full-profile.yaml", _profile(CALL))
    warnings = _warnings(repo)
    line = path.read_text().splitlines().index(CALL.splitlines()[0]) + 1
    # The webinar three days ago is owed but not overdue; the call in October is overdue.
    assert len(warnings) == 1
    assert warnings[0].startswith(f"advocates/full-profile.yaml:{line}:") and ": notice: " in warnings[0]
    assert "Reference call on 2026-10-01" in warnings[0] and "53 days" in warnings[0]
    assert "for_activity: 2026-10-01" in warnings[0]


def test_a_recognition_naming_the_activity_or_coming_after_it_settles_it(repo: Path) -> None:
    _catalog_yaml(repo, "recognition:\n  follow_up_days: 14\n")
    named = ("recognition:\n  - {date: 2026-10-05, kind: thank-you, by: Ana, "
             "for_activity: 2026-10-01}\n")
    write(repo / "advocates", "full-profile.yaml", _profile(CALL, named))
    assert _warnings(repo) == []
    general = "recognition:\n  - {date: 2026-10-03, kind: award, by: Advocacy Team}\n"
    write(repo / "advocates", "full-profile.yaml", _profile(CALL, general))
    assert _warnings(repo) == []
    before = "recognition:\n  - {date: 2026-09-30, kind: gift, by: Ana}\n"
    write(repo / "advocates", "full-profile.yaml", _profile(CALL, before))
    assert len(_warnings(repo)) == 1  # a thank-you before the call does not cover it


def test_nothing_is_owed_without_the_rule_in_catalog_yaml(repo: Path) -> None:
    write(repo / "advocates", "full-profile.yaml", _profile(CALL))
    assert _warnings(repo) == []


def test_for_activity_must_name_an_activity_date(repo: Path) -> None:
    _catalog_yaml(repo, "recognition:\n  follow_up_days: 14\n")
    wrong = ("recognition:\n  - date: 2026-10-05\n    kind: thank-you\n    by: Ana\n"
             "    for_activity: 2026-10-02\n")
    path = write(repo / "advocates", "full-profile.yaml", _profile(CALL, wrong))
    line = path.read_text().splitlines().index("    for_activity: 2026-10-02") + 1
    warnings = _warnings(repo)
    assert any(w.startswith(f"advocates/full-profile.yaml:{line}:") and "2026-10-02 is the date of no "
               "activity" in w for w in warnings), warnings


def test_an_unknown_kind_is_an_error_with_the_allowed_ones(repo: Path) -> None:
    bad = "recognition:\n  - {date: 2026-10-05, kind: bonus, by: Ana}\n"
    write(repo / "advocates", "full-profile.yaml", _profile(CALL, bad))
    errors = [str(e) for e in validate(repo, AS_OF).errors]
    assert errors and "bonus" in errors[0] and "thank-you" in errors[0]


def test_gifts_over_the_yearly_budget_warn_without_saying_what_they_cost(repo: Path) -> None:
    _catalog_yaml(repo, "recognition:\n  yearly_gift_budget: 200\n")
    gifts = ("  gift_values:\n    - {date: 2025-05-01, amount: 150}\n"
             "    - {date: 2026-03-01, amount: 40}\n    - {date: 2026-06-01, amount: 137.5}\n")
    path = write(repo / "advocates", "full-profile.yaml", _profile(CALL, private=gifts))
    warnings = _warnings(repo)
    line = path.read_text().splitlines().index("    - {date: 2026-06-01, amount: 137.5}") + 1
    # 150 + 40 by March; by June the 2025 gift has left the 365 days: 40 + 137.5 = 177.5.
    assert warnings == []
    path.write_text(path.read_text().replace("2026-06-01, amount: 137.5", "2026-06-01, amount: 170"))
    (warning,) = _warnings(repo)
    assert warning.startswith(f"advocates/full-profile.yaml:{line}:")
    assert "budget of 200 USD" in warning and "170" not in warning and "210" not in warning
    strict = CliRunner().invoke(main, ["--root", str(repo), "validate", "--strict", "--as-of",
                                       AS_OF.isoformat()])
    assert strict.exit_code == 1  # the file says it: the pull request adding the gift is told


def test_the_sample_owes_the_thank_yous_it_was_written_to_owe(sample_catalog) -> None:
    owed = owed_by_all(sample_catalog.advocates, AS_OF, sample_catalog.config)
    late = {(o.advocate.id, o.activity["date"]) for o in owed if o.overdue(AS_OF)}
    assert late == {("bjorn-haugland", "2026-11-08"), ("ingrid-solberg", "2026-09-22"),
                    ("shota-nakamura", "2026-10-26")}
    assert {(o.advocate.id, o.activity["date"]) for o in owed} - late == {("emily-tran", "2026-11-17")}


def test_validate_prints_the_sample_warnings_with_lines() -> None:
    result = CliRunner().invoke(main, ["--root", str(ROOT), "validate", "--as-of", AS_OF.isoformat()])
    assert result.exit_code == 0, result.output
    owed = [line for line in result.output.splitlines() if "has had no recognition" in line]
    assert len(owed) == 3
    for line in owed:
        path, number = re.match(r"(advocates/[\w-]+\.yaml):(\d+):", line).groups()  # type: ignore[union-attr]
        assert "- date:" in (ROOT / path).read_text().splitlines()[int(number) - 1]
    assert all(": notice: " in line for line in owed)  # overdue by the calendar: never fails --strict
    strict = CliRunner().invoke(main, ["--root", str(ROOT), "validate", "--strict", "--as-of",
                                       AS_OF.isoformat()])
    assert strict.exit_code == 0, strict.output
    assert "0 error(s), 0 warning(s), 3 notice(s)" in strict.output


def test_report_usage_lists_who_is_owed_a_thank_you() -> None:
    result = CliRunner().invoke(main, ["--root", str(ROOT), "report", "usage", "--as-of",
                                       AS_OF.isoformat()])
    assert result.exit_code == 0
    section = result.output.split("Owed a thank-you (4)")[1]
    assert "Ingrid Solberg (ingrid-solberg): Reference call on 2026-09-22" in section
    assert "(48 days overdue)" in section and "(1 day overdue)" in section
    assert "Emily Tran (emily-tran): Reference call on 2026-11-17 for Initech expansion (due 2026-12-01)" \
        in section


def test_the_profile_shows_a_timeline_newest_first_and_what_is_owed(built_site: Path) -> None:
    page = (built_site / "advocates" / "aino-virtanen" / "index.html").read_text()
    timeline = page.split('id="recognition-h"')[1].split("</section>")[0]
    dates = re.findall(r'<time datetime="(\d{4}-\d\d-\d\d)"', timeline)
    assert dates and dates == sorted(dates, reverse=True)
    assert "Customer Champion of the Year 2026" in timeline and "Award" in timeline
    emily = (built_site / "advocates" / "emily-tran" / "index.html").read_text()
    assert "A thank-you is owed for Reference call on" in emily and "(due by 1 Dec 2026)" in emily


def test_gift_values_reach_no_output_file(built_site: Path) -> None:
    from advocate_catalog.load import read

    notes = []
    for path in (ROOT / "advocates").glob("*.yaml"):
        private = (read(path, path.name).data or {}).get("private") or {}
        notes += [gift["notes"] for gift in private.get("gift_values", []) if gift.get("notes")]
    output = "".join(p.read_text(errors="replace") for p in built_site.rglob("*")
                     if p.is_file() and p.suffix in (".html", ".json", ".csv", ".xml"))
    assert "gift_values" not in output
    for note in notes:
        assert note not in output


def test_recognition_kinds_default_when_catalog_yaml_names_none(repo: Path) -> None:
    named = "recognition:\n  - {date: 2026-10-05, kind: early-access, by: Ana}\n"
    write(repo / "advocates", "full-profile.yaml", _profile(CALL, named))
    assert not validate(repo, AS_OF).errors
    _catalog_yaml(repo, "recognition:\n  kinds:\n    - {id: shout-out, label: Shout-out}\n")
    assert validate(repo, AS_OF).errors  # the list replaces the defaults


def test_a_data_repository_with_its_own_older_schema_still_validates(repo: Path) -> None:
    """A company that copied schemas/ before recognition existed: no crash, recognition refused."""
    import json

    schema_file = repo / "schemas" / "advocate.schema.json"
    schema = json.loads(schema_file.read_text())
    del schema["$defs"]["recognition_kind"], schema["properties"]["recognition"]
    schema_file.write_text(json.dumps(schema))
    write(repo / "advocates", "full-profile.yaml", _profile(CALL))
    assert not validate(repo, AS_OF).errors
    named = "recognition:\n  - {date: 2026-10-05, kind: thank-you, by: Ana}\n"
    write(repo / "advocates", "full-profile.yaml", _profile(CALL, named))
    errors = [str(e) for e in validate(repo, AS_OF).errors]
    assert errors and "recognition" in errors[0]


def test_a_recognition_with_only_the_required_fields_builds(repo: Path) -> None:
    from advocate_catalog.build import build

    bare = "recognition:\n  - {date: 2026-10-05, kind: thank-you, by: Ana}\n"
    write(repo / "advocates", "full-profile.yaml", _profile(CALL, bare))
    build(repo, repo / "site", AS_OF)
    page = (repo / "site" / "advocates" / "full-profile" / "index.html").read_text()
    assert "<strong>Thank-you</strong>, by <span dir=\"auto\">Ana</span>" in page


def test_a_gift_over_budget_long_ago_no_longer_warns(repo: Path) -> None:
    _catalog_yaml(repo, "recognition:\n  yearly_gift_budget: 200\n")
    gifts = "  gift_values:\n    - {date: 2024-03-01, amount: 300}\n"
    write(repo / "advocates", "full-profile.yaml", _profile(CALL, private=gifts))
    assert _warnings(repo) == []  # history: no pull request can change it


def test_many_overdue_thank_yous_are_shown_a_few_then_counted(repo: Path) -> None:
    from advocate_catalog.validate import MAX_WARNINGS_PER_KIND

    _catalog_yaml(repo, "recognition:\n  follow_up_days: 14\n")
    calls = "".join(f"  - {{date: 2026-0{m}-0{d}, type: webinar, requested_by: M, opportunity: W{m}{d}}}\n"
                    for m in range(1, 10) for d in range(1, 8))  # 63 activities, none thanked
    write(repo / "advocates", "full-profile.yaml", _profile(calls))
    notices = [line for line in _warnings(repo) if ": notice: " in line]  # (limits warn too)
    assert len(notices) == MAX_WARNINGS_PER_KIND + 1
    assert "13 more notices like this one were left out" in notices[-1]
