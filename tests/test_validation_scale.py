"""Validation stays linear in what it is given: long activity logs, many look-alike files, and
thousands of warnings of one kind."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from advocate_catalog.activity import limit_issues, log
from advocate_catalog.errors import Issue
from advocate_catalog.load import Document
from advocate_catalog.model import Advocate, Limit, Limits
from advocate_catalog.validate import capped, duplicate_issues

from conftest import ROOT

LIMITS = Limits((Limit("reference-call", 2, 90), Limit("case-study", 1, 180)),
                {"talk": 60, "press": 30}, 6)
TYPES = ["reference-call", "case-study", "talk", "press", "webinar"]
START = dt.date(2020, 1, 1)


def _advocate(entries: list[dict[str, Any]]) -> Advocate:
    return Advocate("a", "advocates/a.yaml", {"activity": entries})


def _flagged_by_definition(advocate: Advocate, limits: Limits) -> set[int]:
    """The rule as written, entry by entry against every earlier one: slow, plainly right."""
    flagged = set()
    entries = log(advocate)
    for position, entry in enumerate(entries):
        before = entries[:position]
        broken = any((days := limits.rest_after.get(e["type"])) and
                     e["day"] + dt.timedelta(days=days) > entry["day"] for e in before)
        for activity, most, days in limits.windows():
            if activity in (None, entry["type"]):
                inside = [e for e in before if activity in (None, e["type"])
                          and entry["day"] - dt.timedelta(days=days) < e["day"] <= entry["day"]]
                broken |= len(inside) + 1 > most
        if broken and not entry.get("exception"):
            flagged.add(entry["index"])
    return flagged


@settings(max_examples=150, derandomize=True, database=None, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.sampled_from(TYPES), st.booleans()), max_size=25))
def test_one_pass_flags_exactly_what_the_rule_says(asks: list[tuple[int, str, bool]]) -> None:
    entries = [{"date": (START + dt.timedelta(days=d)).isoformat(), "type": t,
                **({"exception": "agreed"} if e else {})} for d, t, e in asks]
    advocate = _advocate(entries)
    found = {int(i.message.split("]")[0].removeprefix("activity[")) for i in limit_issues(advocate, LIMITS)}
    assert found == _flagged_by_definition(advocate, LIMITS)


def test_a_log_of_thirty_thousand_entries_is_checked_in_one_pass() -> None:
    """Every entry compared with every earlier one took ~2 minutes at 8,000 entries; the whole
    check must finish well inside the timeout (it takes about a second)."""
    script = (
        "import datetime as dt\n"
        "from advocate_catalog.activity import limit_issues\n"
        "from advocate_catalog.model import Advocate, Limit, Limits\n"
        "limits = Limits((Limit('reference-call', 2, 90),), {'talk': 60}, 6)\n"
        "entries = [{'date': (dt.date(2000, 1, 1) + dt.timedelta(days=i // 8)).isoformat(),\n"
        "            'type': ('talk', 'reference-call')[i % 2]} for i in range(30000)]\n"
        "print(len(limit_issues(Advocate('a', 'advocates/a.yaml', {'activity': entries}), limits)))\n")
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=60,
                          env={**os.environ, "PYTHONPATH": str(ROOT / "src")})
    assert done.returncode == 0, done.stderr[-400:]
    assert int(done.stdout) > 29000  # nearly every entry breaks a limit: each is reported


def test_a_thousand_look_alike_nominations_give_one_warning() -> None:
    docs = [Document(f"nominations/n{i:04}.yaml", {"name": "Kim Lee", "company": {"name": "X"}})
            for i in range(1000)] + [Document("advocates/kim.yaml", {"name": "KIM  LEE"})]
    (issue,) = duplicate_issues(docs)
    assert issue.path == "advocates/kim.yaml" and issue.severity == "warning"
    assert "nominations/n0000.yaml, " in issue.message and "and 995 more" in issue.message


def test_different_people_of_one_name_are_not_duplicates() -> None:
    docs = [Document(f"advocates/p{i}.yaml", {"name": "Kim Lee", "company": {"name": f"Co {i}"}})
            for i in range(3)]
    assert duplicate_issues(docs) == []


def test_warnings_of_one_kind_are_capped_with_a_count() -> None:
    issues = [Issue(f"advocates/a{i:03}.yaml", 1, 1, "warning", "m", "same hint") for i in range(130)]
    issues += [Issue("advocates/b.yaml", 1, 1, "warning", "other", "other hint"),
               *[Issue(f"advocates/e{i}.yaml", 1, 1, "error", "e", "same hint") for i in range(60)]]
    kept = capped(issues)
    assert sum(i.hint == "same hint" and i.severity == "warning" for i in kept) == 51
    assert sum(i.severity == "error" for i in kept) == 60  # errors are never left out
    assert any("80 more warnings like this one were left out" in i.message for i in kept)


def test_a_file_asked_for_many_positions_in_a_row_is_unpacked_once(monkeypatch) -> None:
    """A cached document's positions come back as JSON text; a long activity log gets a warning
    per entry, each asking one position. Unpacking the text for each took minutes at 8,000
    entries; the last file's map is kept aside, and only that one."""
    from advocate_catalog import load

    places = {("activity", i): (10 + i, 5) for i in range(2000)}
    text = json.dumps([[[*path, *where] for path, where in places.items()], []])
    first, second = load.Positions.from_json(text), load.Positions.from_json(text)
    unpacked = []
    real = load._places_from_json
    monkeypatch.setattr(load, "_places_from_json", lambda t: unpacked.append(1) or real(t))
    assert [first.value_at(("activity", i)) for i in range(2000)] == list(places.values())
    assert len(unpacked) == 1
    # A few asks are found in the text; more in a row unpack the file once.
    assert [second.value_at(("activity", i)) for i in range(load.SEARCHED_ASKS)] == \
        list(places.values())[:load.SEARCHED_ASKS] and len(unpacked) == 1
    assert second.value_at(("activity", 9)) == (19, 5) and len(unpacked) == 2
    assert first._maps is None  # this object keeps its map packed
