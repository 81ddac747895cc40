"""Burnout protection: limit arithmetic to the day, warnings for broken limits, usage figures."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from click.testing import CliRunner

from advocate_catalog.activity import availability, usage
from advocate_catalog.cli import main
from advocate_catalog.load import to_yaml
from advocate_catalog.validate import validate

from conftest import ROOT, write

PROFILE = (Path(__file__).parent / "cases" / "valid" / "full-profile.yaml").read_text()
TODAY = dt.date(2026, 11, 23)


def _entries(*items: tuple[int, str], exception: str = "") -> list[dict]:
    out = [{"date": (TODAY - dt.timedelta(days=ago)).isoformat(), "type": kind,
            "requested_by": "Sales", "opportunity": f"Deal {i}"} for i, (ago, kind) in enumerate(items)]
    if exception:
        out[-1]["exception"] = exception
    return out


def _advocate(repo: Path, entries: list[dict], advocate_id: str = "full-profile",
              **replace: str):
    text = PROFILE.replace("id: full-profile", f"id: {advocate_id}")
    for old, new in replace.items():
        text = text.replace(old, new)
    if entries:
        text = text.replace("owner: hamish-kerr", to_yaml({"activity": entries}) + "owner: hamish-kerr")
    write(repo / "advocates", f"{advocate_id}.yaml", text)
    result = validate(repo, TODAY)
    assert not result.errors, result.errors
    return result


def _state(repo: Path, *items: tuple[int, str]) -> tuple[str, dt.date | None]:
    result = _advocate(repo, _entries(*items))
    (advocate,) = result.catalog.advocates
    found = availability(advocate, TODAY, result.catalog.config.limits)
    return found.state, found.until


def test_rest_after_speaking_ends_after_sixty_days(repo: Path) -> None:
    assert _state(repo, (59, "speaker")) == ("resting", TODAY + dt.timedelta(days=1))
    assert _state(repo, (60, "speaker")) == ("available", None)


def test_two_reference_calls_in_ninety_days(repo: Path) -> None:
    result = _advocate(repo, _entries((89, "reference-call"), (10, "reference-call")))
    (advocate,) = result.catalog.advocates
    found = availability(advocate, TODAY, result.catalog.config.limits)
    # Still available for other asks; reference calls wait until the older call leaves the window.
    assert found.state == "available"
    assert found.limited == (("reference-call", TODAY + dt.timedelta(days=1)),)
    assert found.last_asked == TODAY - dt.timedelta(days=10) and found.days_since_last == 10
    result = _advocate(repo, _entries((90, "reference-call"), (10, "reference-call")))
    (advocate,) = result.catalog.advocates
    assert availability(advocate, TODAY, result.catalog.config.limits).limited == ()


def test_six_asks_a_year_is_the_limit(repo: Path) -> None:
    asks = [(364, "webinar"), (300, "review"), (240, "webinar"), (180, "review"), (120, "webinar"),
            (61, "review")]
    assert _state(repo, *asks) == ("at-limit", TODAY + dt.timedelta(days=1))
    assert _state(repo, *[(365, "webinar"), *asks[1:]]) == ("available", None)


def test_status_decides_first(repo: Path) -> None:
    result = _advocate(repo, [], **{"status: active": "status: alumni"})
    (advocate,) = result.catalog.advocates
    assert availability(advocate, TODAY, result.catalog.config.limits).state == "not-askable"


def test_validate_warns_at_the_entry_that_broke_a_limit(repo: Path) -> None:
    entries = _entries((80, "reference-call"), (50, "reference-call"), (20, "reference-call"))
    messages = [str(i) for i in _advocate(repo, entries).issues if "burnout" in i.message]
    (message,) = messages
    assert message.startswith("advocates/full-profile.yaml:")
    assert ": warning: activity[2] breaks a burnout limit: it is number 3 of reference-call within " \
           "90 days (limit 2) — ask someone else, or record why with `exception:` in the entry" in message
    exempt = _entries((80, "reference-call"), (50, "reference-call"), (20, "reference-call"),
                      exception="Agreed with the advocate for the final-stage deal")
    assert [i for i in _advocate(repo, exempt).issues if "burnout" in i.message] == []


def test_usage_report_names_most_asked_near_limit_and_idle(repo: Path) -> None:
    _advocate(repo, _entries((30, "reference-call"), (200, "webinar")), "busy")
    result = _advocate(repo, [], "idle-one")
    found = usage(result.catalog, TODAY, result.catalog.config.limits)
    assert [(a.id, n) for a, n, _ in found.most_asked] == [("busy", 2)]
    assert [(a.id, why) for a, why in found.near_limit] == [
        ("busy", "near the limit: 1 of 2 reference-call within 90 days")]
    assert [a.id for a in found.idle] == ["idle-one"]


@pytest.mark.parametrize("fmt", ["text", "markdown", "json"])
def test_report_usage_cli(fmt: str) -> None:
    result = CliRunner().invoke(main, ["--root", str(ROOT), "report", "usage", "--as-of",
                                       "2026-11-23", "--format", fmt])
    assert result.exit_code == 0, result.output
    assert "do-yeon-park" in result.stdout or "Do-yeon" in result.stdout
