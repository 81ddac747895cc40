"""Index the profile pages with Pagefind, in shards that the search page searches together.

Pagefind rebuilds a whole index on every run and its memory grows with the pages it holds
(about 2 GB for 10,000 profiles). Split into shards of a few hundred profiles, each index stays
small, two run at once on two cores, and a changed profile re-indexes only its own shard. The
browser merges the shards with Pagefind's `mergeIndex`.

Pagefind's own sort cannot serve a merged index: it ranks within each shard, and at 10,000 pages
its sort step alone takes seconds. The build therefore writes `search/order.json`, every page's
place in each sort order, keyed by Pagefind's page id, and the search page sorts with it.
"""

from __future__ import annotations

import base64
import functools
import gzip
import itertools
import json
import math
import os
import re
import shutil
import subprocess
import tempfile
import unicodedata
import zlib
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from html.parser import HTMLParser
from pathlib import Path

from . import nominate
from .errors import BuildError
from .model import Config

Count = Callable[[str, int, int], None]  # progress: (stage, done, total)

SHARD_SIZE = 1200  # most profiles per shard: ~2 s to re-index one at 10,000 profiles
# Fewer profiles per shard make a change cheaper to re-index (Pagefind's time and memory follow
# the pages it holds: 200 take 0.25 s and 55 MB) but every shard adds to a first search what
# each shard loads (an index chunk, its metadata, its word list: ~40 KB compressed). So a catalog
# is split into MOST_SHARDS shards or fewer, none smaller than SMALLEST_SHARD profiles, unless
# that would make them larger than SHARD_SIZE. Measured at 10,000 profiles (docs/performance.md):
# 16 shards of ~570 moved 996 KB for a first word typed over a VPN and re-indexed a change in
# 1.6 s; 8 of ~1,140 move 734 KB, answer 0.2 s sooner, and re-index in 2.9 s. Pagefind's index
# chunk is ~25 KB whatever the shard's size: 1,000 profiles in 5 shards of 180 moved 360 KB, in
# 3 of 300 they move 303 KB and still re-index a change in ~0.75 s (in 2 of 450: 271 KB, 1.4 s).
SMALLEST_SHARD = 300
MOST_SHARDS = 8
FOLDER = "search"  # site/search/<shard>/ holds each bundle; site/search/order.json the sort orders
# What the search page needs of a bundle; the rest (Pagefind's own UI kits) is dead weight. The
# browser loads the script, worker and WebAssembly of the first shard only; each shard keeps its
# own so any shard can be the first (a shard with no profiles has no bundle).
_RUNTIME = ("pagefind.js", "pagefind-worker.js", "pagefind-entry.json")
_DATA = ("index", "filter", "fragment")


def shard_count(profiles: int) -> int:
    size = min(SHARD_SIZE, max(SMALLEST_SHARD, math.ceil(profiles / MOST_SHARDS)))
    return max(1, math.ceil(profiles / size))


def shard_of(advocate_id: str, shards: int) -> int:
    """A profile's shard: stable across builds, so a change touches one shard."""
    return zlib.crc32(advocate_id.encode()) % shards


def _binary() -> str:
    try:
        from pagefind_bin import get_executable
    except ImportError:
        raise BuildError("Pagefind is not installed — reinstall with `python -m pip install -e .`") from None
    return str(get_executable())


def _source(site: Path, ids: list[str], shard: int, work: Path, pages: Path) -> Path:
    """The shard's profile pages, linked into a folder of their own for Pagefind to index."""
    source = work / f"shard-{shard}"
    for advocate_id in ids:
        folder = source / "advocates" / advocate_id
        folder.mkdir(parents=True)
        page = site / "advocates" / advocate_id / "index.html"
        os.link(page if page.exists() else pages / "advocates" / advocate_id / "index.html",
                folder / "index.html")
    return source


def _run(binary: str, source: Path, bundle: Path, shard: int) -> None:
    """Pagefind over one shard. Only this runs in a worker thread: a thread doing many small
    steps (links, reads) waits for the interpreter's lock at each one whenever another thread
    runs Python, and takes a second for what needs a few milliseconds."""
    command = [binary, "--site", str(source), "--output-path", str(bundle), "--silent"]
    try:
        done = subprocess.run(command, capture_output=True, encoding="utf-8", errors="replace",
                              timeout=1800, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise BuildError(f"Pagefind could not run ({error}) — reinstall with "
                         "`python -m pip install -e .`") from None
    if done.returncode != 0 or not (bundle / "pagefind-entry.json").exists():
        last = (done.stderr or done.stdout).strip().splitlines()[-1:] or ["no output"]
        raise BuildError(f"Pagefind failed on shard {shard}: {last[0]} — run `python -m pagefind "
                         f"--site site` to see its full output")


# Put before Pagefind's worker script: every shard's instance in the one worker fetches its
# WebAssembly from its own folder, ~72 KB compressed each (16 shards: 1.1 MB for the first word
# typed); every bundle holds the same file (one Pagefind binary builds them all: its version is
# part of the build's fingerprint), so the worker takes it once, from the folder it was loaded from.
WORKER_PRELUDE = """// advocate-catalog: one WebAssembly for every shard (see search.py, WORKER_PRELUDE).
(() => {
  const fetchOnce = self.fetch.bind(self);
  const kept = new Map();
  self.fetch = (input, init) => {
    const asked = String(input instanceof Request ? input.url : input);
    const wasm = /\\/(wasm\\.[^/?#]+\\.pagefind)$/.exec(asked);
    if (!wasm) return fetchOnce(input, init);
    const url = new URL(wasm[1], self.location.href).href;
    if (!kept.has(url)) kept.set(url, fetchOnce(url, init));
    return kept.get(url).then((response) => response.clone());
  };
})();
"""


def _prune(bundle: Path) -> None:
    keep = set(_DATA) | set(_RUNTIME) | {p.name for p in bundle.glob("wasm.*.pagefind")}
    for path in bundle.iterdir():
        if path.name in keep or path.suffix == ".pf_meta":
            continue
        shutil.rmtree(path) if path.is_dir() else path.unlink()
    worker = bundle / "pagefind-worker.js"
    worker.write_text(WORKER_PRELUDE + worker.read_text(encoding="utf-8"), encoding="utf-8")


def index(site: Path, shards: dict[int, list[str]], workers: int = 2, pages: Path | None = None,
          count: Count = lambda _stage, _done, _total: None) -> dict[int, dict[str, str]]:
    """Index each given shard's profiles into `site/search/<n>/`, `workers` Pagefind processes
    at a time; return each shard's `page_ids`. A profile page is taken from `site`, else from
    `pages` (the live site, in an incremental build). A shard left without profiles loses its
    bundle (Pagefind refuses to index nothing)."""
    binary = _binary()
    found: dict[int, dict[str, str]] = {}
    for shard in [k for k, ids in shards.items() if not ids]:
        shutil.rmtree(site / FOLDER / str(shard), ignore_errors=True)
        found[shard] = {}
    with tempfile.TemporaryDirectory(prefix=".index-", dir=site.parent) as work, \
            ThreadPoolExecutor(workers) as pool:
        jobs = {}
        for shard, ids in sorted(shards.items()):
            if ids:
                source, bundle = _source(site, ids, shard, Path(work), pages or site), \
                    site / FOLDER / str(shard)
                shutil.rmtree(bundle, ignore_errors=True)
                jobs[pool.submit(_run, binary, source, bundle, shard)] = shard
        for done, job in enumerate(as_completed(jobs), start=1):
            job.result()
            bundle = site / FOLDER / str(jobs[job])
            _prune(bundle)
            found[jobs[job]] = page_ids(bundle)
            count("indexing", done, len(jobs))
    return found


def page_ids(bundle: Path) -> dict[str, str]:
    """{advocate id: Pagefind page id} of one shard, read from the fragments Pagefind wrote."""
    found: dict[str, str] = {}
    for fragment in (bundle / "fragment").glob("*.pf_fragment"):
        raw = gzip.decompress(fragment.read_bytes())
        data = json.loads(raw[raw.index(b"{"):])
        found[data["url"].strip("/").split("/")[-1]] = fragment.stem
    return found


_VOID = frozenset(("area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta",
                   "source", "track", "wbr"))
# What of an element in a `data-pagefind-ignore` region may still reach the index: images, and
# Pagefind's own attributes (a filter or metadata there is still read, with its element's text).
# Ids there are not anchors: a profile's fragment lists none of its ignored sections' ids.
_KEPT_WHEN_IGNORED = ("src", "alt")
_READ_WHEN_IGNORED = frozenset(("data-pagefind-filter", "data-pagefind-meta", "data-pagefind-sort",
                                "data-pagefind-default-meta"))


class _IndexedView(HTMLParser):
    """The parts of a page Pagefind can read, in order: every tag, attribute and text outside
    `data-pagefind-ignore` regions and, inside them, only images, headings of the first rank
    and elements carrying Pagefind's filter, metadata or sort attributes (whole). More than
    Pagefind reads, never less."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.open: list[tuple[str, bool, bool]] = []  # (tag, ignored, kept whole)

    def _start(self, tag: str, attrs: list[tuple[str, str | None]], void: bool) -> None:
        ignored, whole = self.open[-1][1:] if self.open else (False, False)
        names = {name for name, _ in attrs}
        ignored = ignored or "data-pagefind-ignore" in names
        whole = whole or tag == "h1" or bool(names & _READ_WHEN_IGNORED)
        shown = attrs if not ignored or whole else [
            (n, v) for n, v in attrs if n in _KEPT_WHEN_IGNORED or n.startswith("data-pagefind-")]
        if shown or not ignored or whole:
            self.parts.append(f"<{tag} {sorted(shown, key=lambda a: a[0])!r}")
        if not void and tag not in _VOID:
            self.open.append((tag, ignored, whole))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, False)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._start(tag, attrs, True)

    def handle_endtag(self, tag: str) -> None:
        if not any(t == tag for t, _, _ in self.open):
            return
        while self.open:
            name, ignored, whole = self.open.pop()
            if not ignored or whole:
                self.parts.append(f"</{name}")
            if name == tag:
                break

    def handle_data(self, data: str) -> None:
        if not self.open or not self.open[-1][1] or self.open[-1][2]:
            self.parts.append(data)


def indexed_view(page: str) -> str:
    """What of a profile page can change its entry in the search index (see _IndexedView):
    two pages with the same view index alike, so a shard whose changed pages keep their views
    is not indexed again."""
    parser = _IndexedView()
    parser.feed(page)
    parser.close()
    return "\x00".join(parser.parts)


# The sorts the search page needs before anyone picks one from its menu (order.json); the rest
# go to sorts.json, fetched when picked (10,000 profiles: ~46 KB less on a first visit).
FIRST_SORTS = ("name", "available")


def order(page_ids: dict[int, dict[str, str]], sorted_ids: dict[str, list[str]],
          askable: dict[str, set[str]] | None = None,
          table: dict[str, list[str]] | None = None) -> dict[str, str]:
    """`search/order.json` and `search/sorts.json`, {path in the site: text}. order.json: the
    shards that have a bundle; the Pagefind page ids in name order (`name`); `advocates`, the
    advocate id of each of those pages (the search page fetches a result's card by it, without
    loading Pagefind's fragment first) and `shard_of`, the shard of each (words.json's bit sets
    run over a shard's advocates in this order); `available`, and in sorts.json each other sort,
    as the places in the name order of its pages in its order (a number of ~5 characters, not a page
    id of ~12). `askable`: per activity, the advocates who can be asked for it today, as one
    character per page in name order ("1" or "0"): the search page ranks by it when an activity
    is ticked (~1 byte per advocate and activity, where lists of page ids would take ~10).
    `synonyms`: `table` (see `synonyms`)."""
    page_of: dict[str, str] = {}
    shard_of: dict[str, int] = {}
    for shard, ids in page_ids.items():
        page_of.update(ids)
        shard_of.update(dict.fromkeys(ids, shard))
    paged = [i for i in sorted_ids.get("name", []) if i in page_of]
    place = {advocate_id: n for n, advocate_id in enumerate(paged)}
    places = {sort: [place[i] for i in in_order if i in place]
              for sort, in_order in sorted_ids.items() if sort != "name"}
    shards = sorted(k for k, ids in page_ids.items() if ids)
    flags = {activity: "".join("1" if i in ids else "0" for i in paged)
             for activity, ids in (askable or {}).items()}
    first = {"shards": shards, "name": [page_of[i] for i in paged], "advocates": paged,
             "shard_of": [shard_of[i] for i in paged],
             **{sort: places[sort] for sort in FIRST_SORTS if sort in places},
             "askable": flags, "stop_words": STOP_WORDS, "fold": nominate.TRANSLITERATION,
             "countries": country_terms(), "synonyms": table or {}}
    rest = {sort: listed for sort, listed in places.items() if sort not in FIRST_SORTS}
    return {f"{FOLDER}/order.json": json.dumps(first, ensure_ascii=False, separators=(",", ":")),
            f"{FOLDER}/sorts.json": json.dumps(rest, separators=(",", ":"))}


_WORD = re.compile(r"[^\W_]+")
_COMPOUND = re.compile(r"[^\W_]+(?:-[^\W_]+)+")


# Words too common to narrow a search; the search page drops them from a query (they are sent to
# it in order.json, so this list is the only one). "us", "no" and "it" are; "US", "NO" and "IT" in
# capitals are countries (and "IT" the word too, see search.js).
STOP_WORDS = ("a", "an", "and", "are", "at", "by", "customer", "customers", "for", "from", "in", "into",
              "is", "it", "no", "of", "on", "or", "our", "that", "the", "to", "us", "we", "who", "with")

# What a rep types for the words of the sample's vocabularies (and the like) that profiles say
# another way: each also finds the profiles holding any of its words or phrases. A catalog adds
# its own under `search.synonyms` in catalog.yaml; every multi-word label of its vocabularies is
# searched as a phrase ("public sector" finds "Public Sector", not any "public" and "sector").
SYNONYMS: dict[str, tuple[str, ...]] = {
    "telco": ("telecommunications", "telecom"), "telecom": ("telecommunications",),
    "telecoms": ("telecommunications", "telecom"),
    "fintech": ("financial services",), "finserv": ("financial services",),
    "fsi": ("financial services",), "bfsi": ("financial services",),
    "pharma": ("pharmaceutical", "healthcare", "life sciences"),
    "biotech": ("healthcare", "life sciences"), "medtech": ("healthcare",),
    "govt": ("public sector", "government"), "government": ("public sector",),
    "edu": ("education",), "higher ed": ("education", "university"),
    "utility": ("energy", "utilities"), "utilities": ("energy",),
    "cpg": ("consumer goods", "retail"), "fmcg": ("consumer goods", "retail"),
    "ecommerce": ("retail", "e-commerce"), "mfg": ("manufacturing",),
    "saas": ("software",), "freight": ("logistics",), "shipping": ("logistics",),
    "supply chain": ("logistics",),
    "apac": ("asia pacific",), "apj": ("asia pacific", "japan"), "asia": ("asia pacific",),
    "latam": ("latin america",), "anz": ("australia new zealand",),
    "cxo": ("c-level",), "c-suite": ("c-level",), "exec": ("executive",),
}


def phrase(text: str) -> str:
    """How a word or phrase is matched: folded as names are (nominate.plain: 'Bjørn' → 'bjorn',
    'Straße' → 'strasse', 'Łódź' → 'lodz'), words joined by one space ('Asia-Pacific' → 'asia
    pacific')."""
    return " ".join(_WORD.findall(nominate.plain(text)))


def synonyms(config: Config) -> dict[str, list[str]]:
    """The synonyms table a catalog's search expands queries with: the built-in one, its own
    (`search.synonyms` in catalog.yaml, added to the built-in words), and each multi-word
    vocabulary label as a phrase of its own. Keys and values folded (see `phrase`)."""
    table: dict[str, list[str]] = {}
    for vocabulary in config.vocabularies.values():
        for term in vocabulary:
            label = phrase(term.label)
            if " " in label and not any(part.isdigit() for part in label.split()):
                table.setdefault(label, [])
    for source in (SYNONYMS, config.synonyms):
        for key, targets in source.items():
            found = table.setdefault(phrase(key), [])
            found.extend(t for t in map(phrase, targets) if t and t not in found and t != phrase(key))
    return {key: targets for key, targets in sorted(table.items()) if key}


@functools.lru_cache(maxsize=1)
def country_terms() -> dict[str, str]:
    """Country names, ISO codes and aliases (nominate.country_lookup, the table the nominate form
    and the importer use) → the country's name as profiles show it (render.country_name), both
    folded: 'uk' and 'gb' → 'united kingdom', 'deutschland' → 'germany'. A name that is itself is
    left out unless it has several words (the search page needs those to read them as one)."""
    from .render import country_name  # render builds on this module: imported when used

    terms = {}
    for alias, code in nominate.country_lookup().items():
        key, name = phrase(alias), phrase(country_name(code))
        if key and name and (key != name or " " in key):
            terms[key] = name
    return dict(sorted(terms.items()))


@functools.lru_cache(maxsize=1 << 16)
def _folded(token: str) -> tuple[str, ...]:
    """One lowercase word of a profile, folded (usually one word: 'bjørn' → ('bjorn',))."""
    return tuple(_WORD.findall(nominate.plain(token)))


@functools.lru_cache(maxsize=1 << 16)
def _marks_dropped(word: str) -> str:
    """A word as Pagefind matches it: accents dropped, no other letter changed ('bjørn' stays)."""
    decomposed = unicodedata.normalize("NFKD", word)
    return "".join(c for c in decomposed if not unicodedata.category(c).startswith("M"))


def words(texts: dict[str, str], unaskable: list[str] | None = None,
          table: dict[str, list[str]] | None = None) -> str:
    """A shard's `words.json` from each profile's indexed text, every word folded as `phrase`
    folds it: `words`, every distinct word, sorted; `df`, how many profiles hold each; `spell`,
    the spellings Pagefind knows a folded word by where they differ ('bjorn' → ['bjørn']: Pagefind
    drops accents itself but spells ø, ß, Ł, Cyrillic as written); `phrases`, the profiles holding
    each multi-word phrase of `table` and of the country names (see `words_of`: `texts` in name
    order); `profiles`, how many profiles; `unaskable`, those who cannot be asked for anything
    (alumni, inactive). The table itself goes to the search page once, in order.json.

    Pagefind, given a word an index lacks, searches that index for the word's longest prefix it
    has ("Oracle" becomes "or"); so the search page asks a shard only for words it holds. And it
    matches every word as a prefix ("bank" finds "Banksia"): for a finished word that other
    words of the shard start like, the page keeps only the profiles Pagefind finds by the exact
    word (a quoted search); phrases are checked against `phrases`."""
    table = table or {}
    wanted = phrases_wanted(table)
    return words_of({i: profile_words(text, wanted) for i, text in texts.items()}, unaskable)


# What one profile adds to its shard's words.json: the folded words it holds, the spellings of
# those Pagefind knows otherwise ([folded, as written]), those it holds as written, and the
# phrases it holds. A build keeps these per profile (cache.py), so a shard's list is remade
# from the changed profiles' parts and the others' kept ones.
ProfileWords = tuple[list[str], list[list[str]], list[str], list[str]]


def phrases_wanted(table: dict[str, list[str]]) -> dict[str, list[tuple[str, ...]]]:
    """The multi-word phrases of `table` and the country names, by their first word."""
    wanted: dict[str, list[tuple[str, ...]]] = {}
    for text in (*table, *(t for targets in table.values() for t in targets), *country_terms().values()):
        if " " in text:
            parts = tuple(text.split())
            wanted.setdefault(parts[0], []).append(parts)
    return wanted


def profile_words(text: str, wanted: dict[str, list[tuple[str, ...]]]) -> ProfileWords:
    """One profile's part of its shard's words.json (see ProfileWords and `words`)."""
    lowered = text.lower()
    tokens = _WORD.findall(lowered)
    sequence = [part for token in tokens for part in _folded(token)]
    held = set(sequence)
    spelled: set[tuple[str, str]] = set()
    plain: set[str] = set()
    for token in set(tokens) | {c.replace("-", "") for c in _COMPOUND.findall(lowered)}:
        parts = _folded(token)
        held.update(parts)
        if len(parts) == 1:
            (plain.add(parts[0]) if parts[0] == _marks_dropped(token)
             else spelled.add((parts[0], token)))
    found = []
    if wanted.keys() & held:
        pairs = set(itertools.pairwise(sequence))
        for first in wanted.keys() & held:
            for parts in wanted[first]:
                if all(pair in pairs for pair in itertools.pairwise(parts)):
                    found.append(" ".join(parts))
    return sorted(held), [list(s) for s in sorted(spelled)], sorted(plain), sorted(found)


def words_of(parts: dict[str, ProfileWords], unaskable: list[str] | None) -> str:
    """A shard's words.json from its profiles' parts (`profile_words`), given in name order.
    `phrases` are bit sets over the shard's advocates in that order, base64: a country or
    industry that 600 profiles of a shard name costs 100 characters, not 600 ids (10,000
    profiles: 145 KB less to fetch, compressed, for the first word typed). The search page
    knows the shard's advocates in name order from order.json (`advocates`, `shard_of`)."""
    df: Counter[str] = Counter()
    spell: dict[str, set[str]] = {}
    plainly: set[str] = set()
    phrases: dict[str, bytearray] = {}
    for place, (held, spelled, plain, found) in enumerate(parts.values()):
        df.update(held)
        for folded, token in spelled:
            spell.setdefault(folded, set()).add(token)
        plainly.update(plain)
        for found_phrase in found:
            phrases.setdefault(found_phrase, bytearray((len(parts) + 7) // 8))[place >> 3] |= 1 << (place & 7)
    listed = sorted(df)
    return json.dumps({"profiles": len(parts), "words": listed, "df": [df[w] for w in listed],
                       "spell": {w: sorted(s | ({w} & plainly)) for w, s in sorted(spell.items())},
                       "phrases": {p: base64.b64encode(bits).decode() for p, bits in sorted(phrases.items())},
                       "unaskable": sorted(unaskable or [])},
                      ensure_ascii=False, separators=(",", ":"))
