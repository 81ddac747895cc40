"""The site's nominate form as a person fills it in (headless Chromium), and the rules it shares
with Python: nominate.js's ids, name keys, countries and YAML checked against their Python twins
under Node.js, and the YAML it writes read back by PyYAML and `validate`."""

from __future__ import annotations

import datetime as dt
import json
import re
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from advocate_catalog import nominate
from advocate_catalog.importer import _folded
from advocate_catalog.load import parse, read, to_yaml
from advocate_catalog.model import sort_key
from advocate_catalog.render import nomination_questions
from advocate_catalog.validate import load_config, validate

from conftest import AS_OF, ROOT, copy_repo

CONFIG = load_config(ROOT)[0]
RULES = nomination_questions(CONFIG)["rules"]
SCRIPT = ROOT / "templates" / "static" / "nominate.js"
SETTINGS: dict[str, Any] = {"derandomize": True, "deadline": None, "database": None,
                            "suppress_health_check": [HealthCheck.too_slow]}

# ---------------------------------------------------------------------------------------------
# The same rules in Python and in nominate.js

NAMES = [
    "Zoë Bø Łukasz  O'Brien-Smith", "Siobhán Ó Dálaigh", "山田 太郎", "山田\u3000太郎", " 山田  太郎 ",
    "Иван Петров", "Ёлка Йодова", "Ґанна Їжак", "Σοφία Παπαδοπούλου", "ΟΔΥΣΣΕΑΣ ΣΑΒΒΑΣ", "محمد علي",
    "Nguyễn Thị Thu", "Đặng Văn Lâm", "İlkay Gündoğan", "ẞtraße Ðóra Þórsdóttir", "ﬁnn ǅemal",
    "Ægir Œdipe", "李 Wei", "Emily Tran", "TRAN, Émily", "", "   ", "!!!", "007", "A" * 120,
    "Ana-María (Nena) Ruiz", "Dr. Jürgen Müller-Lüdenscheidt", "Jose\u0301 Pen\u0303a",
    "Søren Åkesson", "Zürich 😀", "Mia\tCostello", "Jean\u00a0Dupont", "Ƞame Ŋgo", "Áŋŋá Somby",
    "นภา ใจดี", "नमस्ते राम", "김 민준", "Ω", "ьъ",
]
COMPANIES = ["Sakura Robotics KK", "", "株式会社さくら", "Fjell Foods AS", "Ωmega Λtd", "x" * 100]
TITLES = [
    "Chief Data Officer", "Co-founder and CTO", "VP, Data and AI", "Vice President, Risk Data",
    "SVP Engineering", "Head of Credit Analytics", "Director of Network Data", "Senior Manager",
    "Principal Data Architect", "Staff Data Engineer", "President", "CISO", "Chief of Staff",
    "Directeur général", "", "Headless CMS lead",
]
COUNTRIES = ["UK", "u.k.", "Norway", "NORWAY", "no", "NO", "Deutschland", "Côte d'Ivoire",
             "cote d'ivoire", "United States of America", "USA", "Korea", "Türkiye", "Turkey",
             "Atlantis", "", "  japan  ", "Great   Britain", "GBR"]


class Node:
    """nominate.js under Node.js: one process, one JSON request per line."""

    RUNNER = """
import { createInterface } from "node:readline";
const form = await import(process.argv[2]);
const rules = JSON.parse(await (await import("node:fs/promises")).readFile(process.argv[3], "utf8"));
for await (const line of createInterface({ input: process.stdin })) {
  const { fn, args } = JSON.parse(line);
  const given = args.map((arg) => (arg === "$rules" ? rules : arg));
  const result = fn === "similar"
    ? form.similarName(given[0], form.knownNames(given[1], rules), rules)
    : form[fn](...given);
  process.stdout.write(JSON.stringify(result === undefined ? null : result) + "\\n");
}
"""

    def __init__(self, folder: Path) -> None:
        shutil.copy(SCRIPT, folder / "nominate.mjs")  # .mjs: Node loads it as the module it is
        (folder / "rules.json").write_text(json.dumps(RULES), encoding="utf-8")
        (folder / "runner.mjs").write_text(self.RUNNER, encoding="utf-8")
        self.process = subprocess.Popen(
            ["node", str(folder / "runner.mjs"), (folder / "nominate.mjs").as_uri(),
             str(folder / "rules.json")], stdin=subprocess.PIPE, stdout=subprocess.PIPE,
            text=True, encoding="utf-8")

    def __call__(self, fn: str, *args: Any) -> Any:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(json.dumps({"fn": fn, "args": list(args)}) + "\n")
        self.process.stdin.flush()
        answer = self.process.stdout.readline()
        assert answer, f"nominate.js stopped on {fn}{args!r}"
        return json.loads(answer)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


@pytest.fixture(scope="module")
def js(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Node]:
    if shutil.which("node") is None:
        pytest.skip("Node.js is not installed")
    node = Node(tmp_path_factory.mktemp("nominate-js"))
    yield node
    node.close()


@pytest.mark.slow
@pytest.mark.parametrize("company", COMPANIES)
def test_js_derives_the_ids_python_derives(js: Node, company: str) -> None:
    for name in NAMES:
        assert js("deriveId", name, company, "$rules") == nominate.derive_id(name, company), name


@pytest.mark.slow
def test_js_folds_names_and_keys_as_python_does(js: Node) -> None:
    for name in NAMES:
        assert js("plain", name, "$rules") == nominate.plain(name), name
        assert js("slugify", name, "$rules") == nominate.slugify(name), name
        assert js("nameKey", name, "$rules") == nominate.name_key(name), name
        assert js("fnv1a", name) == nominate.fnv1a(name), name


@pytest.mark.slow
def test_js_reads_countries_and_titles_as_python_does(js: Node) -> None:
    lookup = nominate.country_lookup()
    for text in COUNTRIES:
        assert js("countryCode", text, "$rules") == lookup.get(_folded(text), ""), text
    assert js("countryCode", "UK", "$rules") == "GB"
    assert js("countryCode", "Atlantis", "$rules") == ""
    for title in TITLES:
        expected = next((persona for persona, pattern in nominate.persona_rules(CONFIG)
                         if re.search(pattern, nominate.plain(title), re.IGNORECASE)), "")
        assert js("personaFor", title, "$rules") == expected, title


@pytest.mark.slow
def test_similar_names_exact_reordered_and_near(js: Node) -> None:
    names = {"listed": [{"name": "Emily Tran", "company": "Globex", "url": "advocates/emily-tran/"},
                        {"name": "Bo Li", "company": "Initech", "url": "advocates/bo-li/"}]}
    for typed in ("Emily Tran", "TRAN, Émily", "emily  tran"):
        assert js("similar", typed, names) == {"kind": "listed", "exact": True, "entry": {
            "name": "Emily Tran", "company": "Globex", "url": "advocates/emily-tran/",
            "key": "emily tran", "ordered": "emily tran"}}, typed
    assert js("similar", "Emilly Trann", names)["exact"] is False  # two edits, ten letters
    assert js("similar", "Bo Lu", names) is None  # near matching needs eight letters or more
    assert js("similar", "Emma Tran", names) is None
    assert js("similar", "", names) is None


YAML_CANNOT_HOLD = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029\ufdd0-\ufdef\ufeff\ufffe\uffff]")


# Any text, and text made of what YAML reads as structure: indentation, breaks, indicators.
STORY_TEXT = st.one_of(st.text(), st.text(alphabet=" \t\n\r\x85\u2028-#:|>'\"!&*%@`{}[],.?~a1é"))


@pytest.mark.slow
@settings(max_examples=500, **SETTINGS)
@given(STORY_TEXT)
def test_a_story_block_reads_back_as_written(js: Node, text: str) -> None:
    cleaned = js("cleanText", text)
    if not YAML_CANNOT_HOLD.search(text):
        assert cleaned == text  # only what YAML cannot hold is dropped
    document = f"story: {js('blockScalar', cleaned)}"
    assert document.startswith("story: |")
    assert yaml.safe_load(document) == {"story": cleaned}
    doc = parse(document, "x.yaml")
    assert (doc.data, doc.issues) == ({"story": cleaned}, [])


@pytest.mark.slow
@settings(max_examples=200, **SETTINGS)
@given(name=st.text(), title=st.text(), company=st.text(), reason=STORY_TEXT, story=STORY_TEXT,
       nominated_by=st.text())
def test_any_answers_stay_text_in_the_file(js: Node, name: str, title: str, company: str,
                                           reason: str, story: str, nominated_by: str) -> None:
    values = {"id": "x", "name": js("cleanLine", name), "title": js("cleanLine", title),
              "persona": "", "function": "", "company": js("cleanLine", company),
              "industry": "retail", "size": "small", "region": "emea", "country": "NO",
              "products": ["analytics", "no"], "nominated_by": js("cleanLine", nominated_by),
              "nominated_on": "2026-11-23", "owner": "grace-whitfield",
              "reason": js("cleanText", reason), "story": js("cleanText", story)}
    data = yaml.safe_load(js("nominationYaml", values))
    assert data["name"] == values["name"] and data["title"] == values["title"]
    assert data["company"] == {"name": values["company"], "industry": "retail", "size": "small",
                               "region": "emea", "country": "NO"}
    assert data["products"] == ["analytics", "no"]  # "no" is a product id here, not False
    assert data["reason"] == values["reason"] and data.get("story", "") == values["story"]
    assert data["nominated_by"] == values["nominated_by"]


STORIES = ["One line.\n", "The challenge.\n\nWhat they did: **a lot**.\n\n- 40% faster\n- fewer errors\n",
           "    indented code first\nthen text\n", "# Challenge\n---\nkey: value\n\"quoted\"\n"]


@pytest.mark.slow
@pytest.mark.parametrize("story", STORIES)
def test_the_site_writes_a_story_as_the_cli_does(js: Node, story: str) -> None:
    assert f"story: {js('blockScalar', story)}" == to_yaml({"story": story})


# ---------------------------------------------------------------------------------------------
# names.json: who the form warns about, and nothing private


def test_names_json_lists_listed_advocates_and_nothing_of_the_rest(built_site: Path,
                                                                   sample_catalog) -> None:
    names = json.loads((built_site / "nominate" / "names.json").read_text(encoding="utf-8"))
    listed = sample_catalog.listed(AS_OF)
    assert names["listed"] == [{"name": a.name, "company": a.data["company"]["name"],
                                "url": f"advocates/{a.id}/"}
                               for a in sorted(listed, key=lambda a: sort_key(a.name))]
    assert list(names) == ["listed"]  # not even a hash of a hidden name: it confirms a guess
    others = [r for r in [*sample_catalog.advocates, *sample_catalog.nominations] if r not in listed]
    assert others
    text = (built_site / "nominate" / "names.json").read_text(encoding="utf-8").casefold()
    for record in others:
        assert record.name.casefold() not in text and record.id not in text


def test_regions_from_countries_agree_with_the_sample_data(sample_catalog) -> None:
    regions = nominate.region_by_country(CONFIG)
    records = [*sample_catalog.advocates, *sample_catalog.nominations]
    assert regions and {r.data["company"]["country"] for r in records} <= set(regions)
    for record in records:
        assert regions[record.data["company"]["country"]] == record.data["company"]["region"], record.path
    assert set(regions) <= set(nominate.country_lookup().values())


def test_regions_are_a_choice_when_the_catalog_has_other_regions() -> None:
    from dataclasses import replace

    from advocate_catalog.model import Term

    other = replace(CONFIG, vocabularies={**CONFIG.vocabularies, "regions": (
        Term("americas", "Americas"), Term("emea", "EMEA"), Term("apac", "APAC"))})
    assert nominate.region_by_country(other) == {}


# ---------------------------------------------------------------------------------------------
# In the browser, as a person


@dataclass
class Person:
    """Fills the form the way a person does, counting the fields answered and the clicks."""

    page: Any
    fields: set[str] = field(default_factory=set)
    clicks: int = 0
    keys: int = 0
    started: float = field(default_factory=time.perf_counter)

    def type(self, selector: str, text: str) -> None:
        self.page.click(selector)
        self.clicks += 1
        self.page.keyboard.type(text)
        self.keys += len(text)
        self.fields.add(selector)

    def choose(self, selector: str, value: str) -> None:
        self.page.select_option(selector, value)
        self.clicks += 2  # open the list, pick
        self.fields.add(selector)

    def tick(self, selector: str) -> None:
        self.page.click(selector)
        self.clicks += 1
        self.fields.add(self.page.get_attribute(selector, "name"))

    def press(self, selector: str) -> None:
        self.page.click(selector)
        self.clicks += 1

    def github_url(self) -> str:
        """Click "Open it on GitHub"; the request is recorded and stopped (no network)."""
        seen: list[str] = []

        def stop(route: Any) -> None:
            seen.append(route.request.url)
            route.abort()

        self.page.route("https://github.com/**", stop)
        self.press("#open-on-github")
        for _ in range(100):
            if seen:
                break
            self.page.wait_for_timeout(50)
        assert seen, "the link did not lead to GitHub"
        return seen[0]

    def report(self) -> tuple[int, int, float]:
        """Fields, clicks, and the seconds a person would take by the keystroke-level model
        (Card, Moran & Newell): 0.28 s a key (an average typist), 1.3 s to point and click,
        1.35 s to think before each answer. The browser itself takes a second or two."""
        seconds = time.perf_counter() - self.started
        person = 0.28 * self.keys + 1.3 * self.clicks + 1.35 * len(self.fields)
        print(f"fields filled: {len(self.fields)}, clicks: {self.clicks}, seconds: {seconds:.1f} "
              f"(a person: about {person:.0f})")
        return len(self.fields), self.clicks, person


@pytest.fixture
def form(browser, site_url: str) -> Iterator[Any]:
    """The nominate page on the sample's pinned day, recording script errors."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.clock.set_fixed_time(dt.datetime(AS_OF.year, AS_OF.month, AS_OF.day, 10, 0))
    page.errors = []
    page.on("console", lambda m: m.type == "error" and page.errors.append(m.text))
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.goto(site_url + "nominate/")
    page.wait_for_selector("#nominate-form[data-ready]")
    yield page
    context.close()


def _yaml_from(url: str) -> tuple[str, str]:
    parts = urlsplit(url)
    assert f"{parts.scheme}://{parts.netloc}{parts.path}" == (
        "https://github.com/tessellate/advocate-catalog/new/main")
    query = parse_qs(parts.query)
    return query["filename"][0], query["value"][0]


def _validated(tmp_path: Path, filename: str, text: str) -> dict[str, Any]:
    """The nomination saved in a copy of the sample repository, after `validate` found no error."""
    repo = copy_repo(tmp_path / "repo")
    assert filename.startswith("nominations/") and not (repo / filename).exists()
    (repo / filename).write_text(text, encoding="utf-8")
    result = validate(repo, AS_OF)
    assert result.errors == []
    return read(repo / filename, filename).data


def _saved_as(page: Any) -> str:
    return page.inner_text("#nomination-file")


def test_a_person_nominates_a_customer_with_a_latin_name(form, tmp_path: Path) -> None:
    person = Person(form)
    person.type("#f-name", "Siobhán Ó Dálaigh")
    assert _saved_as(form) == "nominations/siobhan-o-dalaigh.yaml"
    person.type("#f-title", "Chief Data Officer")
    person.type("#f-company", "Harbour & Hearth Ltd")
    person.type("#f-country", "UK")
    assert form.inner_text("#f-country-found") == "United Kingdom (GB)"
    person.choose("#f-industry", "retail")
    person.tick('input[name="size"][value="enterprise"]')
    person.tick('input[name="products"][value="analytics"]')
    person.tick('input[name="products"][value="governance"]')
    person.type("#f-reason", "Cut month-end close from 9 days to 4.\nShe loves to present it.")
    person.choose("#f-who", "elise-fontaine")
    # Derived, shown and changeable: region from the country, persona from the title, the owner.
    assert (form.input_value("#f-region"), form.input_value("#f-persona"),
            form.input_value("#f-owner")) == ("emea", "c-level", "elise-fontaine")
    assert form.inner_text("#nominate-submit") == "Prepare the nomination"
    person.press("#nominate-submit")
    filename, text = _yaml_from(person.github_url())
    fields, _, seconds = person.report()
    assert fields <= 9 and seconds < 120
    assert filename == "nominations/siobhan-o-dalaigh.yaml"
    data = _validated(tmp_path, filename, text)
    assert data == {
        "id": "siobhan-o-dalaigh", "name": "Siobhán Ó Dálaigh", "title": "Chief Data Officer",
        "persona": "c-level", "company": {"name": "Harbour & Hearth Ltd", "industry": "retail",
                                          "size": "enterprise", "region": "emea", "country": "GB"},
        "products": ["analytics", "governance"], "nominated_by": "elise.fontaine@tessellate.example",
        "nominated_on": "2026-11-23", "owner": "elise-fontaine",
        "reason": "Cut month-end close from 9 days to 4.\nShe loves to present it."}
    assert 'name: "Siobhán Ó Dálaigh"' in text and "  country: \"GB\"" in text
    assert form.errors == []


def test_a_person_nominates_a_customer_with_a_japanese_name(form, site_url: str,
                                                           tmp_path: Path) -> None:
    person = Person(form)
    person.type("#f-name", "山田 太郎")
    assert _saved_as(form) == f"nominations/{nominate.derive_id('山田 太郎', '')}.yaml"
    person.type("#f-title", "Director of Production Systems")
    person.type("#f-company", "Sakura Robotics KK")
    expected_id = nominate.derive_id("山田 太郎", "Sakura Robotics KK")
    assert re.fullmatch(r"sakura-robotics-kk-[0-9a-f]{6}", expected_id)
    assert _saved_as(form) == f"nominations/{expected_id}.yaml"
    person.type("#f-country", "Japan")
    person.choose("#f-industry", "manufacturing")
    person.tick('input[name="size"][value="mid-market"]')
    person.tick('input[name="products"][value="edge-sync"]')
    person.type("#f-reason", "工場の稼働データを一つにまとめ、停止時間を30%減らしました。")
    person.choose("#f-who", "ben-takeda")
    person.press("#nominate-submit")
    filename, text = _yaml_from(person.github_url())
    fields, _, seconds = person.report()
    assert fields <= 9 and seconds < 120
    assert filename == f"nominations/{expected_id}.yaml"
    data = _validated(tmp_path, filename, text)
    assert data["name"] == "山田 太郎" and data["persona"] == "director"
    assert data["company"]["country"] == "JP" and data["company"]["region"] == "japan"
    assert (data["owner"], data["nominated_by"]) == ("ben-takeda", "ben.takeda@tessellate.example")
    # The nominator is remembered for the next nomination.
    form.goto(site_url + "nominate/")
    form.wait_for_selector("#nominate-form[data-ready]")
    assert (form.input_value("#f-who"), form.input_value("#f-owner")) == ("ben-takeda", "ben-takeda")
    assert form.errors == []


def _answer_everything(form: Any, name: str = "Marta Øvergaard") -> None:
    form.fill("#f-name", name)
    form.fill("#f-title", "Head of Data")
    form.fill("#f-company", "Fjell Foods AS")
    form.fill("#f-country", "Norway")
    form.select_option("#f-industry", "retail")
    form.check('input[name="size"][value="small"]')
    form.check('input[name="products"][value="pipelines"]')
    form.fill("#f-reason", "Great results.")
    form.select_option("#f-who", "amara-okafor")


HOSTILE_STORY = ("  Two spaces first: a code block?\n---\n# Not a comment\nkey: value\n\"quoted\" line\n"
                 "'single'\n\n- not a list\n   three leading spaces\n...\n|\n> folded?\n"
                 "!!python/object/apply:os.system ['id']\n&anchor *alias {flow: [x]}\n")


def test_the_story_is_a_literal_block_however_hostile(form, tmp_path: Path) -> None:
    _answer_everything(form)
    form.click(".more-fields summary")
    form.locator("#f-story").press_sequentially(HOSTILE_STORY)
    form.click("#nominate-submit")
    filename, text = _yaml_from(form.locator("#open-on-github").get_attribute("href"))
    assert "\nstory: |2\n    Two spaces first: a code block?\n  ---\n  # Not a comment\n" in text
    assert yaml.safe_load(text)["story"] == HOSTILE_STORY
    assert _validated(tmp_path, filename, text)["story"] == HOSTILE_STORY
    assert form.locator("#nomination-yaml").inner_text().rstrip() == text.rstrip()


def test_an_unknown_country_is_flagged_as_typed_and_blocks(form) -> None:
    _answer_everything(form)
    form.fill("#f-country", "")
    form.click("#f-country")
    form.keyboard.type("Atlantis")
    error = form.locator("#f-country-error")
    assert error.is_visible() and "No country is called “Atlantis”" in error.inner_text()
    assert form.get_attribute("#f-country", "aria-invalid") == "true"
    assert "f-country-error" in form.get_attribute("#f-country", "aria-describedby")
    assert form.inner_text("#nominate-submit") == "Still needed: country"
    form.click("#nominate-submit")
    assert form.locator("#nomination-result").is_hidden()
    assert form.evaluate("document.activeElement.id") == "f-country"
    form.fill("#f-country", "Deutschland")
    assert error.is_hidden() and form.inner_text("#f-country-found") == "Germany (DE)"
    assert form.inner_text("#nominate-submit") == "Prepare the nomination"


def _warning(form: Any, name: str) -> str:
    form.fill("#f-name", "")
    form.click("#f-name")
    form.keyboard.type(name)
    form.wait_for_timeout(300)  # the check waits for a pause in typing
    return form.inner_text("#f-name-similar")


def test_a_name_already_in_the_catalog_is_a_warning_not_a_block(form, sample_catalog) -> None:
    assert _warning(form, "Emily Tran") == (
        "Emily Tran (Northbridge Health Partners) is already in the catalog — open the profile")
    link = form.locator("#f-name-similar a")
    assert link.get_attribute("href").endswith("/advocates/emily-tran/")
    assert _warning(form, "Tran Emily").startswith("Emily Tran (Northbridge Health Partners) is")
    assert _warning(form, "Emilly Trann").startswith("Did you mean Emily Tran (Northbridge")
    listed = sample_catalog.listed(AS_OF)
    unlisted = next(a for a in sample_catalog.advocates if a not in listed)
    assert _warning(form, unlisted.name) == ""  # hidden people are never confirmed to a guesser
    assert _warning(form, sample_catalog.nominations[0].name) == ""
    assert _warning(form, "Marta Øvergaard") == ""
    _answer_everything(form, "Emily Tran")
    form.click("#nominate-submit")
    assert form.locator("#open-on-github").is_visible()  # warned, not blocked
    assert form.errors == []


def test_someone_else_gives_their_name_and_chooses_the_owner(form, tmp_path: Path) -> None:
    _answer_everything(form)
    assert form.locator("#f-nominated_by").is_hidden()
    form.select_option("#f-who", "(someone-else)")
    assert form.locator("#f-nominated_by").is_visible()
    assert form.input_value("#f-owner") == ""
    assert form.inner_text("#nominate-submit") == "Still needed: your name, owner"
    form.fill("#f-nominated_by", "sam.seller@tessellate.example")
    form.select_option("#f-owner", "amara-okafor")
    form.select_option("#f-region", "apac")  # a derived value, changed: kept when the country changes
    form.fill("#f-country", "Sweden")
    assert form.input_value("#f-region") == "apac"
    form.click("#nominate-submit")
    filename, text = _yaml_from(form.locator("#open-on-github").get_attribute("href"))
    data = _validated(tmp_path, filename, text)
    assert (data["nominated_by"], data["owner"]) == ("sam.seller@tessellate.example", "amara-okafor")
    assert data["company"]["region"] == "apac" and data["persona"] == "director"
