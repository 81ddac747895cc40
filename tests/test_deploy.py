"""What is published is what today's data says: the deploy trusts no cache, runs every day, and
an incremental build deletes whatever it did not write."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
from pathlib import Path

import yaml

from advocate_catalog.build import build

from conftest import AS_OF, ROOT

DEPLOY = ROOT / ".github" / "workflows" / "deploy.yml"


def _deploy() -> dict:
    return yaml.safe_load(DEPLOY.read_text(encoding="utf-8"))


def test_the_deploy_restores_no_cache_and_saves_none() -> None:
    """Any workflow run on the default branch (an issue-triggered one included) can write the
    Actions cache: the deploy builds from the checked-out data alone (docs/decisions.md)."""
    steps = [step for job in _deploy()["jobs"].values() for step in job.get("steps", [])]
    assert not [s for s in steps if "cache" in str(s.get("uses", "")).split("@")[0]]
    assert not [s for s in steps if "cache" in str(s.get("with", {})).lower()]
    builds = [s["run"] for s in steps if "build" in str(s.get("run", "")).split()]
    assert builds and all("--site" not in run for run in builds)


def test_the_deploy_runs_every_day() -> None:
    """Consent, quotes and material expire on a day, not on a push: a daily build takes them
    down the day after (the build drops what expired before its own day)."""
    triggers = _deploy()[True]  # PyYAML reads the `on:` key as True
    crons = [entry["cron"] for entry in triggers.get("schedule", [])]
    assert crons, "deploy.yml has no schedule"
    _minute, hour, day, month, weekday = crons[0].split()
    assert (day, month, weekday) == ("*", "*", "*") and re.fullmatch(r"\d+", hour)


def test_an_advocate_is_gone_the_day_after_their_consent_expires(sample_repo: Path) -> None:
    profile = sample_repo / "advocates" / "emily-tran.yaml"
    text = profile.read_text(encoding="utf-8")
    profile.write_text(text.replace("expires_on: 2027-06-09", f"expires_on: {AS_OF.isoformat()}"),
                       encoding="utf-8")
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    assert (site / "advocates" / "emily-tran" / "index.html").is_file()
    next_day = AS_OF + dt.timedelta(days=1)
    build(sample_repo, site, next_day)  # the next morning's scheduled build, cache and all
    assert not (site / "advocates" / "emily-tran").exists()
    names = json.loads((site / "nominate" / "names.json").read_text(encoding="utf-8"))
    assert "Emily Tran" not in [entry["name"] for entry in names["listed"]]
    published = "".join(p.read_text(encoding="utf-8", errors="replace")
                        for p in site.rglob("*") if p.is_file() and p.suffix in (".html", ".json", ".xml"))
    assert "Emily Tran" not in published and "emily-tran" not in published


PLANTED = ["login.html", "static/steal.js", "advocates/emily-tran/evil.js", "search/0/planted.js",
           "brand-new/index.html"]


def _plant(site: Path) -> None:
    for relative in PLANTED:
        (site / relative).parent.mkdir(parents=True, exist_ok=True)
        (site / relative).write_text("<script>planted()</script>", encoding="utf-8")


def test_a_file_planted_in_the_site_never_survives_the_next_build(sample_repo: Path) -> None:
    """The site a build leaves holds only what builds wrote: a planted page or script is
    deleted by the next build, whether nothing changed or one profile did."""
    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    before = sorted(p.relative_to(site) for p in site.rglob("*"))
    _plant(site)
    summary = build(sample_repo, site, AS_OF)
    assert not summary.up_to_date
    assert [relative for relative in PLANTED if (site / relative).exists()] == []
    assert not (site / "brand-new").exists()
    assert sorted(p.relative_to(site) for p in site.rglob("*")) == before
    assert build(sample_repo, site, AS_OF).up_to_date  # and the next one has nothing to do
    _plant(site)
    profile = sample_repo / "advocates" / "aino-virtanen.yaml"
    profile.write_text(profile.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    build(sample_repo, site, AS_OF)
    assert [relative for relative in PLANTED if (site / relative).exists()] == []


def test_story_html_planted_in_the_cache_is_cleaned_before_it_is_published(sample_repo: Path) -> None:
    """A build cache is a file someone else may have written: the story HTML in it goes through
    the sanitiser again, so a script planted there never reaches a page."""
    from advocate_catalog import cache

    site = sample_repo / "site"
    build(sample_repo, site, AS_OF)
    documents = cache.side_file(cache.folder(sample_repo, site), "documents")
    saved = json.loads(documents.read_text(encoding="utf-8"))
    entry = saved["documents"]["advocates/emily-tran.yaml"]
    entry["story_html"] = ('<p onclick="steal()">Hi<script>steal()</script></p>'
                           '<a href="javascript:steal()">x</a>')
    documents.write_text(json.dumps(saved), encoding="utf-8")
    shutil.rmtree(site)  # every page rendered again, from the cached documents
    build(sample_repo, site, AS_OF, reuse=True)
    page = (site / "advocates" / "emily-tran" / "index.html").read_text(encoding="utf-8")
    assert "steal()" not in page
