// Search over Pagefind's JS API. The state (query, filters, sort) lives in the URL so a search can be
// shared as a link and the back button restores it. Result cards are rendered once, at build time, by
// templates/_card.html (advocates/<id>/card.json): this script only places them.

import { plain } from "./nominate.js";

const PAGE_SIZE = 20;
const siteRoot = new URL("./", document.baseURI);
// The index comes in shards (search/0/, search/1/, …). Each is a Pagefind index of its own, asked
// only for words its profiles hold (search/<k>/words.json): Pagefind answers a word an index
// lacks with the word's longest prefix it has, so a merged index would find "or" for "Oracle"
// wherever one shard lacks a word another has. order.json holds each sort order as page ids.
const order = await (await fetch(new URL("search/order.json", siteRoot))).json();
// No listed advocate means no index at all: the page already says "0 advocates"; stop here.
if (order.shards.length === 0) throw new Error("the catalog lists no advocates yet");
// Pagefind is loaded when a search needs it — words typed, a filter ticked — or once the person
// reaches for the search box: the first screen of a visit without either is the build's own
// ordered list and counts, and moves no index.
let shardsLoading = null;
function loadShards() {
  shardsLoading ??= (async () => {
    allWords();  // the word lists come meanwhile
    // One Pagefind script, one worker and one WebAssembly for every shard (the build makes each
    // shard's worker fetch it from its own folder): an instance per shard, over its own files.
    const runtime = await import(new URL(`search/${order.shards[0]}/pagefind.js`, siteRoot).href);
    const start = async (id) => {
      const pagefind = runtime.createInstance({ basePath: new URL(`search/${id}/`, siteRoot).pathname,
        baseUrl: siteRoot.pathname });
      await pagefind.init();
      return { id, pagefind };
    };
    // The first instance sets the WebAssembly up; others started meanwhile would each set up
    // their own and break the ones before (Pagefind keeps one per worker). Its init resolves
    // before the worker is done: an empty preload waits until it is.
    const first = await start(order.shards[0]);
    await first.pagefind.preload("");
    return [first, ...await Promise.all(order.shards.slice(1).map(start))];
  })();
  return shardsLoading;
}
// Pagefind loads a facet's data when a search filters by it, and counts only the facets it has
// loaded: the counts wait for every facet of every shard (10,000 profiles: 128 files), loaded
// after the first results so the index those need does not queue behind them. They load while no
// search runs, and a search waits for them: Pagefind swaps an instance's pointer into the
// WebAssembly after each file it loads, and two loads finishing together could use a freed one.
let filtersLoading = null;
let filtersInFlight = null;
let filtersReady = false;
const idleWaiters = [];
function allFilters() {
  filtersLoading ??= (async () => {
    const shards = await loadShards();
    while (running) await new Promise((resolve) => { idleWaiters.push(resolve); });
    filtersInFlight = Promise.all(shards.map((shard) => shard.pagefind.filters()));
    await filtersInFlight;
    filtersReady = true;
    filtersInFlight = null;
  })();
  return filtersLoading;
}
let wordsLoading = null;
function allWords() {
  wordsLoading ??= Promise.all(order.shards.map(shardWords));
  return wordsLoading;
}
const SORTS = ["available", "asked", "verified", "name"];
// order.json lists the name order as page ids and who can be asked first as places in it; the
// sorts a person picks from the menu come from search/sorts.json (places too) when first asked for.
const ranked = (places) => new Map(places.map((page, place) => [order.name[page], place]));
const ranks = { name: new Map(order.name.map((page, place) => [page, place])), available: ranked(order.available) };
let sortsLoading = null;
function loadSorts() {
  sortsLoading ??= fetch(new URL("search/sorts.json", siteRoot)).then((response) => response.json())
    .then((sorts) => { for (const [sort, places] of Object.entries(sorts)) ranks[sort] = ranked(places); });
  return sortsLoading;
}
const advocateOf = new Map(order.name.map((page, place) => [page, order.advocates[place]]));

const form = document.getElementById("search-form");
const queryInput = document.getElementById("q");
const sortSelect = document.getElementById("sort");
const resultList = document.getElementById("results");
const resultsSection = resultList.closest("section");
const resultCount = document.getElementById("result-count");
const moreButton = document.getElementById("more");
const chips = document.getElementById("active-filters");
const note = document.getElementById("search-note");
const waysOut = document.getElementById("ways-out");
const copyButton = document.getElementById("copy-link");
const labels = JSON.parse(document.getElementById("facet-labels").textContent);
const facetKeys = Object.keys(labels);
const facetNames = Object.fromEntries(Array.from(document.querySelectorAll("fieldset[data-facet]"),
  (fieldset) => [fieldset.dataset.facet, fieldset.querySelector("legend").textContent.trim()]));

let shown = [];
let askedFor = [];  // the activities ticked in the search whose cards are being placed
let generation = 0;
let withExcerpts = false;
// The sort the reader chose ("" = best match); the menu shows the order actually applied.
let chosenSort = "";

// Filter boxes sit outside the <form> element and join it through their form= attribute.
function checkboxes() {
  return Array.from(form.elements).filter((control) => control.type === "checkbox");
}

function stateFromForm() {
  const state = { q: queryInput.value, sort: chosenSort, filters: {} };
  for (const key of facetKeys) {
    const values = checkboxes().filter((box) => box.name === key && box.checked).map((box) => box.value);
    if (values.length) state.filters[key] = values;
  }
  return state;
}

function stateFromUrl() {
  const params = new URLSearchParams(location.search);
  const state = { q: params.get("q") || "", sort: params.get("sort") || "", filters: {} };
  for (const key of facetKeys) {
    const values = params.getAll(key).filter((value) => Object.hasOwn(labels[key], value));
    if (values.length) state.filters[key] = values;
  }
  if (!SORTS.includes(state.sort)) state.sort = "";
  return state;
}

function showStateInForm(state) {
  queryInput.value = state.q;
  chosenSort = state.sort;
  for (const box of checkboxes()) {
    box.checked = (state.filters[box.name] || []).includes(box.value);
  }
}

function urlFor(state) {
  const params = new URLSearchParams();
  if (state.q.trim()) params.set("q", state.q.trim());
  for (const [key, values] of Object.entries(state.filters)) {
    for (const value of values) params.append(key, value);
  }
  if (state.sort) params.set("sort", state.sort);
  const query = params.toString();
  return query ? `?${query}` : location.pathname;
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function plural(count) {
  return `${count} ${count === 1 ? "advocate" : "advocates"}`;
}

// --- Words ----------------------------------------------------------------------------------------

// Words too common to narrow a search (the build's list); "CFO in financial services" keeps the rest.
const STOP_WORDS = new Set(order.stop_words);
// Queries are folded as the build folds the profiles' words (search.phrase, with nominate.plain —
// the rule the nominate form spells names by): "Bjorn" finds "Bjørn", "strasse" "Straße".
const FOLDING = { transliteration: order.fold };
const fold = (text) => plain(text, FOLDING);
// Country names, ISO codes and aliases → the country's name as profiles show it ("uk" → "united
// kingdom"). Codes of up to three letters count only in capitals: "US" is the country, "us" a word.
const COUNTRIES = new Map(Object.entries(order.countries));
// What a rep types → the words profiles use (search.synonyms: the built-in table and the catalog's).
const SYNONYMS = new Map(Object.entries(order.synonyms));
const CODE_LETTERS = 3;
// Suffixes a light English stemmer strips, so "migrating", "migration" and "migrate" meet.
const SUFFIXES = ["ations", "ation", "ions", "ion", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es",
  "ly", "e", "s"];
const PLURALS = new Set(["ies", "es", "s"]);
const LATIN_OR_DIGITS = /^[a-z0-9\u00c0-\u024f]+$/;
const LONGEST_PHRASE = 4;  // words of the longest phrase looked up in the country and synonym tables
const COMMON = 0.5;  // a word in more than this share of profiles weighs little (see planQuery)

function stem(word) {
  if (word.length <= 4) return word;
  for (const suffix of SUFFIXES) {
    // A plural keeps three letters ("cities"), other endings four ("analy" is not "ana" + "ly").
    if (word.endsWith(suffix) && word.length - suffix.length >= (PLURALS.has(suffix) ? 3 : 4)) {
      const base = word.slice(0, -suffix.length);
      return suffix === "ies" || suffix === "ied" ? `${base}y` : base;
    }
  }
  return word;
}

// The words a shard's profiles hold (search.words).
function shardWords(id) {
  return fetch(new URL(`search/${id}/words.json`, siteRoot)).then((response) => response.json())
    .then((data) => ({
      list: data.words, exact: new Set(data.words), stems: new Set(data.words.map(stem)),
      df: new Map(data.words.map((word, place) => [word, data.df[place]])), profiles: data.profiles,
      spell: new Map(Object.entries(data.spell)), unaskable: new Set(data.unaskable),
      phrases: phrasesOf(id, data),
    }));
}

// Who of a shard holds each phrase: words.json has a bit per advocate of the shard, in name
// order (order.json's `advocates` whose `shard_of` is the shard). Should the two disagree on how
// many that is, a phrase is held by every profile that holds its words (never a match lost).
function phrasesOf(id, data) {
  const ids = order.advocates.filter((_, place) => order.shard_of[place] === id);
  const known = ids.length === data.profiles;
  if (!known) console.warn(`search/${id}/words.json and search/order.json disagree: phrases matched as words`);
  return new Map(Object.entries(data.phrases).map(([words, bits]) => {
    if (!known) return [words, null];
    const bytes = atob(bits);
    return [words, new Set(ids.filter((_, place) => bytes.charCodeAt(place >> 3) & (1 << (place & 7))))];
  }));
}

// A finished word is held when the shard has it (in the spelling asked for) or a word of the same
// stem; the word being typed (the last, no space after it yet) also when one of the shard's words
// starts with it. Words of other scripts are left to Pagefind.
function holds(known, { word, spelling, prefix }) {
  if (!LATIN_OR_DIGITS.test(word)) return true;
  if (known.exact.has(word)) return (known.spell.get(word) ?? [word]).includes(spelling);
  return spelling === word && (known.stems.has(stem(word)) || (prefix && hasPrefix(known.list, word)));
}

// A way to match a term, held by a shard: every word, and a phrase as a phrase.
function holdsAlternative(known, alternative) {
  return alternative.atoms.every((atom) => holds(known, atom))
    && (!alternative.phrase || known.phrases.has(alternative.phrase));
}

function firstFrom(list, prefix) {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (list[middle] < prefix) low = middle + 1;
    else high = middle;
  }
  return low;
}

function hasPrefix(list, prefix) {
  const place = firstFrom(list, prefix);
  return place < list.length && list[place].startsWith(prefix);
}

// Pagefind matches a word as the start of longer ones ("bank" finds "Banksia", "france"
// "francophone"): a finished word needs checking when a word of another stem in the shard starts
// like it (its first three letters: Pagefind's own stemmer may cut "governance" to "govern").
function startsOthers(known, word) {
  const start = word.slice(0, 3);
  const own = stem(word);
  for (let place = firstFrom(known.list, start); place < known.list.length; place += 1) {
    const other = known.list[place];
    if (!other.startsWith(start)) return false;
    if (other !== word && stem(other) !== own) return true;
  }
  return false;
}

// Edit distance with transpositions ("telemetyr" is one from "telemetry"), or `most + 1` as soon
// as it must be more.
function edits(a, b, most) {
  if (Math.abs(a.length - b.length) > most) return most + 1;
  let before = null;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i += 1) {
    const row = [i];
    for (let j = 1; j <= b.length; j += 1) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
      if (before && i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) {
        row[j] = Math.min(row[j], before[j - 2] + 1);
      }
    }
    if (Math.min(...row) > most) return most + 1;
    [before, previous] = [previous, row];
  }
  return previous[b.length];
}

const CORRECT_FROM = 4;  // letters a word needs before a correction is offered for it

// "Did you mean": the catalog's words the word starts (a word left unfinished: "snowmob"), else
// those of the same first letter within one edit (two from eight letters on: "goverance"),
// grouped by stem and weighed by how many profiles hold them. `sure` when one group stands out
// (twice as common as the next): the search then shows it.
function corrections(word, known) {
  if (word.length < CORRECT_FROM || !LATIN_OR_DIGITS.test(word)) return { options: [], sure: false };
  const most = word.length >= 8 ? 2 : 1;
  const found = new Map();  // word → [edits, profiles]
  for (const shard of known) {
    for (let place = firstFrom(shard.list, word[0]); place < shard.list.length; place += 1) {
      const candidate = shard.list[place];
      if (candidate[0] !== word[0]) break;
      const distance = candidate.startsWith(word) ? 0 : edits(word, candidate, most);
      if (distance > most) continue;
      const [, count] = found.get(candidate) ?? [0, 0];
      found.set(candidate, [distance, count + shard.df.get(candidate)]);
    }
  }
  const closest = Math.min(...Array.from(found.values(), ([distance]) => distance));
  const groups = new Map();  // stem → {word, profiles}
  for (const [candidate, [distance, count]] of found) {
    if (distance !== closest) continue;
    const group = groups.get(stem(candidate)) ?? { word: candidate, top: 0, profiles: 0 };
    group.profiles += count;
    if (count > group.top) Object.assign(group, { word: candidate, top: count });
    groups.set(stem(candidate), group);
  }
  const ranked = Array.from(groups.values()).sort((a, b) => b.profiles - a.profiles || a.word.localeCompare(b.word));
  return { options: ranked.slice(0, 3).map((group) => group.word),
           sure: ranked.length === 1 || (ranked.length > 1 && ranked[0].profiles >= 2 * ranked[1].profiles) };
}

function isCapitals(text) {
  return text === text.toUpperCase() && text !== text.toLowerCase();
}

// The query's terms: each word, or a phrase the country and synonym tables know ("united
// kingdom", "public sector", "UK"), with the ways a profile can match it (`alternatives`, each a
// list of words held in one spelling, as one phrase or not) — found in some shard or in none.
async function queryTerms(text, typing) {
  const known = await allWords();
  const tokens = (text.match(/[\p{L}\p{N}]+/gu) || []).flatMap(
    (raw) => (fold(raw).match(/[\p{L}\p{N}]+/gu) || []).map((word) => ({ raw, word })));
  const ended = !typing;
  const terms = [];
  for (let place = 0; place < tokens.length;) {
    let length = Math.min(LONGEST_PHRASE, tokens.length - place);
    for (; length > 1; length -= 1) {
      const key = tokens.slice(place, place + length).map((t) => t.word).join(" ");
      if (COUNTRIES.has(key) || SYNONYMS.has(key)) break;
    }
    const words = tokens.slice(place, place + length);
    const key = words.map((t) => t.word).join(" ");
    const last = place + length === tokens.length;
    place += length;
    const country = COUNTRIES.has(key) && (key.length > CODE_LETTERS || isCapitals(words[0].raw))
      ? COUNTRIES.get(key) : null;
    if (length === 1 && !country && STOP_WORDS.has(key)) {
      terms.push({ text: key, raw: words[0].raw, stop: true });
      continue;
    }
    const prefix = last && !ended && length === 1 && !complete(known, key);
    const targets = [...(country && country !== key ? [country] : []), ...(SYNONYMS.get(key) ?? [])];
    // The word itself too, unless a stop word: "UK" and "Deutschland" also find the stories
    // that say so, "US" only the country ("us" is a stop word).
    const literal = !STOP_WORDS.has(key);
    const phrases = [...(literal ? [key] : []), ...targets];
    const alternatives = phrases.flatMap((words) => spelled(known, {
      phrase: words.includes(" ") ? words : null,
      atoms: words.split(" ").map((word) => ({ word, spelling: word, prefix: prefix && words === key })),
    })).filter((alternative) => known.some((shard) => holdsAlternative(shard, alternative)));
    terms.push({ text: key, raw: words.map((t) => t.raw).join(" "), alternatives, prefix,
                 expanded: targets.length > 0, found: alternatives.length > 0 });
  }
  const kept = terms.filter((term) => !term.stop);
  return kept.length ? kept : terms.map((term) => (term.stop ? { ...term, stop: false, ...plainTerm(known, term) } : term));
}

// A word being typed that the catalog holds, and no other word of it starts so but the word's own
// forms ("governance", not "gov"): searched as finished at once, it gives the answer a pause in
// typing would settle on.
function complete(known, word) {
  if (!LATIN_OR_DIGITS.test(word)) return false;
  const own = stem(word);
  let held = false;
  for (const shard of known) {
    held ||= shard.exact.has(word);
    for (let place = firstFrom(shard.list, word); shard.list[place]?.startsWith(word); place += 1) {
      if (stem(shard.list[place]) !== own) return false;
    }
  }
  return held;
}

function plainTerm(known, term) {
  const alternatives = spelled(known, { phrase: null, atoms: [{ word: term.text, spelling: term.text, prefix: false }] })
    .filter((alternative) => known.some((shard) => holdsAlternative(shard, alternative)));
  return { alternatives, prefix: false, expanded: false, found: alternatives.length > 0 };
}

// One alternative per spelling Pagefind knows its words by: "bjorn" is asked as "bjørn" where a
// profile writes it so (and as both where profiles write both).
function spelled(known, alternative) {
  let results = [alternative];
  alternative.atoms.forEach((atom, place) => {
    if (atom.prefix) return;
    const spellings = new Set(known.flatMap((shard) => (shard.exact.has(atom.word)
      ? shard.spell.get(atom.word) ?? [atom.word] : [])));
    if (spellings.size === 0) return;
    results = results.flatMap((one) => Array.from(spellings, (spelling) => ({
      ...one, atoms: one.atoms.map((a, i) => (i === place ? { ...a, spelling } : a)) })));
  });
  return results;
}

// --- Searching ----------------------------------------------------------------------------------

// With an activity ticked, an availability means availability for that activity: each profile's
// hidden `askable` filter holds `state:activity` for every activity said yes to
// (render.facet_values, from activity.availability — the one rule the profile and exports use).
function pagefindFilters(filters) {
  const out = {};
  for (const [key, values] of Object.entries(filters)) out[key] = { any: values };
  if (filters.availability && filters.activity) {
    delete out.availability;
    out.askable = { any: filters.availability.flatMap((state) => filters.activity.map((a) => `${state}:${a}`)) };
  }
  return out;
}

function addCounts(into, counts, sign = 1) {
  for (const [key, values] of Object.entries(counts || {})) {
    into[key] ??= {};
    for (const [value, count] of Object.entries(values)) into[key][value] = (into[key][value] ?? 0) + sign * count;
  }
  return into;
}

// The filter counts of some results, from each one's own filters (Pagefind's fragment).
async function countsOf(results) {
  const counts = {};
  for (const data of await Promise.all(results.map((result) => result.data()))) {
    for (const [key, values] of Object.entries(data.filters || {})) {
      counts[key] ??= {};
      for (const value of values) counts[key][value] = (counts[key][value] ?? 0) + 1;
    }
  }
  return counts;
}

// Search the shards that hold every alternative of `all` (all shards without words), as one
// result set of the profiles matching every one. Pagefind matches each word as a prefix: a
// finished word that other words start like keeps only the profiles Pagefind finds by the exact
// word (a quoted search), a phrase only the profiles holding it (words.json).
async function searchFor(all, filters) {
  if (activeGeneration !== generation) throw STALE;  // a newer search waits: stop this one here
  if (filtersInFlight) await filtersInFlight;
  const atoms = all.flatMap((alternative) => alternative.atoms);
  const term = atoms.length ? atoms.map((atom) => atom.spelling).join(" ") : null;
  const shards = await loadShards();
  const known = await allWords();
  const asked = shards.map((shard, place) => ({ shard, known: known[place] }))
    .filter(({ known: words }) => all.every((alternative) => holdsAlternative(words, alternative)));
  const options = { filters: pagefindFilters(filters) };
  const holding = [];  // per shard asked: [profiles, how many Pagefind matched]
  const answers = await Promise.all(asked.map(async ({ shard, known: words }, index) => {
    const checks = [];
    for (const alternative of all) {
      if (alternative.phrase) {
        const holding = words.phrases.get(alternative.phrase);
        if (holding) checks.push((result) => holding.has(advocateOf.get(result.id)));
        continue;
      }
      for (const atom of alternative.atoms) {
        if (atom.prefix || !LATIN_OR_DIGITS.test(atom.word) || !startsOthers(words, atom.word)) continue;
        checks.push(shard.pagefind.search(`"${atom.spelling}"`, options).then((exact) => {
          const ids = new Set(exact.results.map((result) => result.id));
          return Object.assign((result) => ids.has(result.id), { counts: exact.filters });
        }));
      }
    }
    const [answer, ...tests] = await Promise.all([shard.pagefind.search(term, options), ...checks]);
    holding[index] = [words.profiles, answer.unfilteredResultCount ?? answer.results.length];
    if (!tests.length) return { results: answer.results, filters: answer.filters };
    const kept = answer.results.filter((result) => tests.every((test) => test(result)));
    if (kept.length === answer.results.length) return { results: kept, filters: answer.filters };
    // One word checked by an exact search that is the whole question: that search counted them.
    if (atoms.length === 1 && tests[0].counts) return { results: kept, filters: tests[0].counts };
    const keptIds = new Set(kept.map((result) => result.id));
    const removed = answer.results.filter((result) => !keptIds.has(result.id));
    return { results: kept, filters: removed.length < kept.length
      ? addCounts({ ...structuredClone(answer.filters) }, await countsOf(removed), -1) : await countsOf(kept) };
  }));
  // Each shard scores by its own share of profiles holding the words (BM25's idf): rescaled to
  // the whole catalog's share, the same match scores the same in any shard.
  const profiles = known.reduce((sum, words) => sum + words.profiles, 0);
  const matching = holding.reduce((sum, [, count]) => sum + count, 0);
  const merged = { results: [], filters: {} };
  answers.forEach((answer, place) => {
    const scale = idf(profiles, matching) / idf(...holding[place]);
    // A copy keeps its Pagefind result (`source`): the worker drops a result's data once the
    // result object is collected.
    merged.results.push(...answer.results.map((result) => (
      { ...result, score: (result.score ?? 0) * scale, source: result.source ?? result })));
    addCounts(merged.filters, answer.filters);
  });
  return merged;
}

function idf(profiles, matching) {
  return Math.log((profiles - matching + 0.5) / (matching + 0.5) + 1);
}

const MOST_WORDS = 4;  // "matching most" combines every subset of at most this many words

// What a query asks of Pagefind: its terms found in the catalog, and whether results hold the one
// term ("all"), any of several, those with the most of them first ("most"), or nothing can match.
// A word in no profile is corrected when the catalog has one clear word for it ("goverance":
// governance), else the likely words are offered. A word most profiles hold ("data", the
// company's product family) weighs nothing beside rarer ones: it is left out of such a query.
async function planQuery(text, typing) {
  const parsed = await queryTerms(text, typing);
  const known = await allWords();
  const corrected = [];
  const offered = [];
  for (const [place, term] of parsed.entries()) {
    if (term.found || term.prefix || term.expanded || term.text.includes(" ")) continue;
    const { options, sure } = corrections(term.text, known);
    if (sure) {
      const better = { ...plainTerm(known, { text: options[0] }), text: options[0], raw: options[0] };
      if (better.found) {
        corrected.push({ from: term.raw, to: options[0] });
        parsed[place] = better;
        continue;
      }
    }
    if (options.length) offered.push({ from: term.raw, options });
  }
  const present = parsed.filter((t) => t.found);
  const absent = parsed.filter((t) => !t.found).map((t) => t.text);
  const profiles = known.reduce((sum, shard) => sum + shard.profiles, 0);
  const share = (term) => Math.max(...term.alternatives.map((alternative) => Math.min(...alternative.atoms.map(
    ({ word }) => known.reduce((sum, shard) => sum + (shard.df.get(word) ?? 0), 0))))) / profiles;
  const rare = present.filter((term) => term.prefix || share(term) <= COMMON);
  const chosen = rare.length ? rare : present;
  const plan = { terms: chosen, absent, corrected, offered, common: present.filter((t) => !chosen.includes(t)),
                 finished: !parsed.some((t) => t.prefix) };
  if (parsed.length === 0) return { ...plan, mode: "all" };
  if (present.length === 0) return { ...plan, mode: "none" };
  if (chosen.length === 1 && !absent.length) return { ...plan, mode: "all" };
  return { ...plan, terms: chosen.slice(0, MOST_WORDS), mode: "most" };
}

// Every non-empty subset of a list, with the sign inclusion–exclusion gives it.
function subsetsOf(list) {
  const subsets = [];
  for (let mask = 1; mask < 1 << list.length; mask += 1) {
    const subset = list.filter((_, place) => mask & (1 << place));
    subsets.push({ subset, sign: subset.length % 2 ? 1 : -1 });
  }
  return subsets;
}

// The searches whose signed counts add up to the counts of the profiles matching every term of
// `terms` (each term: any of its alternatives), and whether a search is one of the plain
// combinations (an alternative of each term) whose results make up that set.
function partsOf(terms) {
  let parts = [{ sign: 1, all: [], plain: true }];
  for (const term of terms) {
    parts = parts.flatMap((part) => subsetsOf(term.alternatives).map(({ subset, sign }) => ({
      sign: part.sign * sign, all: [...part.all, ...subset], plain: part.plain && subset.length === 1 })));
  }
  return parts;
}

function alternativeKey(alternative) {
  return `${alternative.phrase ?? ""}:${alternative.atoms.map((a) => `${a.spelling}${a.prefix ? "*" : ""}`).join(" ")}`;
}

// Relevance in steps of a half: scores this close are of the same strength (BM25 moves this much
// with a page's length alone), and among them who can be asked comes first (`ordered`). Who
// cannot be asked for anything (alumni, inactive) counts four steps weaker: above an askable
// match only when theirs is about five times as strong.
const STEP = Math.log(1.5);
const UNASKABLE_STEPS = 4;
function strength(score, unaskable) {
  if (!(score > 0)) return 0;
  return Number(Math.exp((Math.round(Math.log(score) / STEP) - (unaskable ? UNASKABLE_STEPS : 0)) * STEP)
    .toPrecision(6));
}

// Results and filter counts of a query under filters. "all": the profiles matching every term;
// "most": those matching any, each knowing how many it matches. A term matches by any of its
// alternatives (its spellings, synonyms, the country's name); the counts come by
// inclusion–exclusion over the searches for every subset of the terms and alternatives
// (Pagefind ANDs the words of one search).
async function resultSet(query, filters) {
  if (query.mode === "none") return { results: [], filters: {} };
  const searches = new Map();
  const search = (all) => {
    const key = all.map(alternativeKey).sort().join("|");
    if (!searches.has(key)) searches.set(key, searchFor(all, filters));
    return searches.get(key);
  };
  const groups = query.mode === "all" ? [{ subset: query.terms, sign: 1 }] : subsetsOf(query.terms);
  const counts = {};
  const byId = new Map();
  const known = await allWords();
  await Promise.all(groups.map(async ({ subset, sign }) => {
    const parts = partsOf(subset);
    const found = await Promise.all(parts.map((part) => search(part.all)));
    parts.forEach((part, place) => addCounts(counts, found[place].filters, sign * part.sign));
    if (query.mode === "most" && subset.length !== 1) return;
    const best = new Map();  // id → [result, score]: a term counts once, by its best alternative
    parts.forEach((part, place) => {
      if (!part.plain) return;
      for (const result of found[place].results) {
        const score = result.score ?? 0;
        if (!best.has(result.id) || best.get(result.id)[1] < score) best.set(result.id, [result, score]);
      }
    });
    for (const [id, [result, score]] of best) {
      const entry = byId.get(id) ?? { result, matched: 0, score: 0 };
      entry.matched += query.mode === "all" ? subset.length : 1;
      entry.score += score;
      byId.set(id, entry);
    }
  }));
  const unaskable = (id) => known.some((shard) => shard.unaskable.has(advocateOf.get(id)));
  const results = Array.from(byId.values(), ({ result, matched, score }) => (
    { ...result, matched, score: strength(score, unaskable(result.id)) }));
  return { results, filters: counts };
}

function without(filters, key, value) {
  const rest = { ...filters, [key]: filters[key].filter((v) => v !== value) };
  if (rest[key].length === 0) delete rest[key];
  return rest;
}

// Values of one group are OR-ed, groups are AND-ed. A value's count is the number of results the
// search would have with that value ticked too: for a group without ticks, the results that have
// it; for a group with ticks, the current results plus those the value adds (counted on the search
// without that group's ticks). A ticked value shows how many of the current results have it.
async function facetCounts(query, filters, main) {
  const total = main.results.length;
  const counts = {};
  for (const key of facetKeys) counts[key] = { ...(main.filters[key] || {}) };
  if (filters.activity) {
    // Availability for the ticked activities: each state counted by the search with it ticked
    // (Pagefind counts the profiles' overall availability, which is not the question asked).
    const ticked = filters.availability || [];
    counts.availability = {};
    await Promise.all(Object.keys(labels.availability).map(async (value) => {
      const asked = ticked.includes(value) ? [value] : [...ticked, value];
      counts.availability[value] = (await resultSet(query, { ...filters, availability: asked })).results.length;
    }));
  }
  for (const key of Object.keys(filters)) {
    const rest = { ...filters };
    delete rest[key];
    const base = await resultSet(query, rest);
    if (key === "availability" && filters.activity) continue;  // counted above
    for (const value of Object.keys(labels[key])) {
      if (filters[key].includes(value)) continue;
      const added = (base.filters[key]?.[value] ?? 0) - (main.filters[key]?.[value] ?? 0);
      counts[key][value] = total + added;
    }
  }
  return counts;
}

// With no result, how many advocates dropping each ticked value would give, most first.
async function waysOutOf(query, filters) {
  const options = [];
  for (const [key, values] of Object.entries(filters)) {
    for (const value of values) {
      const found = await resultSet(query, without(filters, key, value));
      if (found.results.length) options.push({ key, value, count: found.results.length });
    }
  }
  return options.sort((a, b) => b.count - a.count);
}

// Who can be asked today for one of `activities`: 0, else 1 (order.json's `askable` holds a
// character per page, in name order).
const namePlace = new Map(order.name.map((page, place) => [page, place]));
function notReady(id, activities) {
  const place = namePlace.get(id);
  return activities.some((a) => order.askable?.[a]?.[place] === "1") ? 0 : 1;
}

// "Best match" ranks those with the most of the words first, then by relevance; at equal
// relevance, who can be asked now comes first — for the ticked activities when there are some.
// "Available first" puts those who can be asked for a ticked activity before the rest.
function ordered(results, sort, activities = []) {
  const asked = (id) => (activities.length ? notReady(id, activities) : 0);
  if (sort) {
    const rank = ranks[sort];
    const first = sort === "available" ? asked : () => 0;
    return results
      .map((result) => [first(result.id), rank.get(result.id) ?? rank.size, result])
      .sort((a, b) => a[0] - b[0] || a[1] - b[1])
      .map(([, , result]) => result);
  }
  const available = ranks.available;
  return results
    .map((result, place) => ({ result, place, matched: result.matched ?? 0,
                               score: Number((result.score ?? 0).toPrecision(3)),
                               now: asked(result.id),
                               ready: available.get(result.id) ?? available.size }))
    .sort((a, b) => b.matched - a.matched || b.score - a.score || a.now - b.now || a.ready - b.ready
      || a.place - b.place)
    .map(({ result }) => result);
}

// --- Showing --------------------------------------------------------------------------------------

// Pagefind marks matches with <mark>; keep those and treat everything else as text.
function excerptNode(excerpt) {
  const paragraph = element("p", "card-excerpt");
  excerpt.split(/(<mark>.*?<\/mark>)/g).forEach((part) => {
    const match = part.match(/^<mark>(.*)<\/mark>$/);
    paragraph.append(match ? element("mark", "", match[1]) : document.createTextNode(part));
  });
  return paragraph;
}

const cards = new Map();
// The page holds the first screen's cards (nothing asked, who can be asked now first): kept, so
// showing them again fetches nothing.
for (const card of resultList.children) {
  const link = new URL(card.querySelector("a[href]").href, document.baseURI).href;
  const id = link.startsWith(siteRoot.href) && /^advocates\/([^/]+)\/$/.exec(link.slice(siteRoot.href.length));
  if (id) cards.set(decodeURIComponent(id[1]), Promise.resolve(card.outerHTML));
}
function cardHtml(result) {
  const id = advocateOf.get(result.id);
  if (!cards.has(id)) {
    const url = new URL(`advocates/${encodeURIComponent(id)}/card.json`, siteRoot);
    cards.set(id, fetch(url).then((response) => response.json()).then((card) => card.html));
  }
  return cards.get(id);
}

const STATE_ORDER = ["available", "resting", "at-limit", "not-askable"];

function placeCard(html, excerpt) {
  // The markup comes from this site's build, where _card.html escaped every value.
  const template = document.createElement("template");
  template.innerHTML = html;
  const card = template.content.firstElementChild;
  if (excerpt) card.querySelector(".card-summary").after(excerptNode(excerpt));
  if (askedFor.length) forActivities(card, askedFor);
  return card;
}

// With activities ticked, the card shows the badge the build wrote for the best of them (its
// `data-for` badges) and its link opens the profile on that request.
function forActivities(card, activities) {
  const badges = Array.from(card.querySelectorAll("[data-for]"));
  const best = badges.filter((badge) => activities.includes(badge.dataset.for))
    .sort((a, b) => STATE_ORDER.indexOf(a.dataset.state) - STATE_ORDER.indexOf(b.dataset.state))[0];
  if (!best) return;
  for (const badge of badges) badge.hidden = badge !== best;
  const link = card.querySelector("a[href]");
  const url = new URL(link.href, document.baseURI);
  url.searchParams.set("activity", best.dataset.for);
  link.href = url.href;
}

const FIRST_SCREEN = 6;  // the cards a screen shows first: fetched before the rest of the page

// The next page of results: the cards a screen shows come first and `onScreen` hears when they
// are placed; the rest follow. Only the cards shown are fetched (card and excerpt).
async function showMore(ourGeneration, onScreen = () => {}) {
  const start = resultList.children.length;
  const fetchCard = (result) => Promise.all(
    [cardHtml(result), withExcerpts ? result.data().then((data) => data.excerpt) : null]);
  const page = shown.slice(start, start + PAGE_SIZE);
  moreButton.hidden = true;
  for (const part of [page.slice(0, FIRST_SCREEN), page.slice(FIRST_SCREEN)]) {
    const loading = part.map(fetchCard);
    for (const next of loading) {
      const [html, excerpt] = await next;
      if (ourGeneration !== generation) return;
      resultList.append(placeCard(html, excerpt));
    }
    onScreen();
  }
  moreButton.hidden = resultList.children.length >= shown.length;
}

function showCounts(counts) {
  filterPanel.removeAttribute("aria-busy");
  for (const node of document.querySelectorAll("[data-facet-count]")) {
    const [key, value] = node.dataset.facetCount.split(":");
    const count = counts[key]?.[value] ?? 0;
    node.textContent = count;
    node.closest("label").classList.toggle("is-empty", count === 0);
  }
}

function removeButton(key, value, text) {
  const button = element("button", "chip");
  button.type = "button";
  button.append(text, " ", element("span", "chip-remove", "×"));
  button.setAttribute("aria-label", `Remove filter ${facetNames[key]}: ${labels[key][value]}`);
  button.addEventListener("click", () => {
    const state = stateFromForm();
    const next = { ...state, filters: without(state.filters, key, value) };
    showStateInForm(next);
    history.pushState(null, "", urlFor(next));
    run(next);
  });
  return button;
}

function showChips(filters) {
  chips.replaceChildren();
  for (const [key, values] of Object.entries(filters)) {
    for (const value of values) {
      const item = element("li");
      item.append(removeButton(key, value, `${facetNames[key]}: ${labels[key][value]}`));
      chips.append(item);
    }
  }
  chips.hidden = chips.children.length === 0;
}

async function showWaysOut(ourGeneration, query, filters) {
  const list = waysOut.querySelector("ul");
  list.replaceChildren();
  const options = Object.keys(filters).length ? await waysOutOf(query, filters) : [];
  if (ourGeneration !== generation) return;
  for (const { key, value, count } of options) {
    const item = element("li");
    item.append(removeButton(key, value, `Remove ${facetNames[key]}: ${labels[key][value]} to see ${plural(count)}`));
    list.append(item);
  }
  waysOut.hidden = options.length === 0;
}

function quoted(list) {
  return list.map((word) => `“${word}”`).join(", ");
}

// A word offered instead of one no profile holds: a click searches it.
function correctionButton(from, to) {
  const button = element("button", "link-button", to);
  button.type = "button";
  button.addEventListener("click", () => {
    const words = queryInput.value.split(/(\s+)/);
    const place = words.findIndex((word) => word === from);
    queryInput.value = place >= 0 ? words.map((word, i) => (i === place ? to : word)).join("")
      : queryInput.value.replace(from, to);
    runFromForm(true);
  });
  return button;
}

function offers(query) {
  const parts = [];
  for (const { from, options } of query.offered) {
    parts.push(` Instead of “${from}”, did you mean `);
    options.forEach((option, place) => {
      if (place) parts.push(place === options.length - 1 ? " or " : ", ");
      parts.push(correctionButton(from, option));
    });
    parts.push("?");
  }
  return parts;
}

// The note above the results: words no profile holds, the corrections shown or offered (one
// click searches each), and a query no profile matches in full.
function showNote(query, results, filters = {}) {
  const parts = [];
  const complete = results.some((result) => result.matched === query.terms.length);
  for (const { from, to } of query.corrected) {
    parts.push(`No advocate’s profile mentions “${from}”; showing `, correctionButton(from, to), ". ");
  }
  if (query.mode === "none") {
    parts.push(`No advocate’s profile mentions ${quoted(query.absent)}.`);
    parts.push(...(query.offered.length ? offers(query)
      : [" Check the spelling, or try a word from the story you are after."]));
  } else if (query.absent.length) {
    parts.push(`No advocate mentions ${quoted(query.absent)}; showing those matching the other words, `
      + "most first.", ...offers(query));
  } else if (query.mode === "most" && results.length && !complete) {
    parts.push("No advocate matches all words; showing those matching most.");
  } else if (!results.length && query.terms.length && !Object.keys(filters).length) {
    parts.push(`No advocate’s profile mentions ${quoted(query.terms.map((term) => term.raw))}. Check the `
      + "spelling, or try a word from the story you are after.");
  }
  note.replaceChildren(...parts);
  note.hidden = parts.length === 0;
}

// One search at a time, and only the newest: Pagefind answers in one worker, so a search started
// for an earlier keystroke would queue ahead of the last one. A request made while a search runs
// waits; a newer request replaces it; the running search stops at its next step.
let running = null;
let waiting = null;
let activeGeneration = 0;
let lastSearchMs = 60;  // how long the last finished search took
const STALE = Symbol("stale");

function run(state, typing = false) {
  generation += 1;
  resultsSection.setAttribute("aria-busy", "true");
  waiting = { state, typing, ourGeneration: generation };
  if (!running) running = drain();
  return running;
}

async function drain() {
  while (waiting) {
    const { state, typing, ourGeneration } = waiting;
    waiting = null;
    activeGeneration = ourGeneration;
    const started = performance.now();
    try {
      await runSearch(state, ourGeneration, typing);
      if (ourGeneration === generation) lastSearchMs = performance.now() - started;
    } catch (error) {
      if (error !== STALE) console.error(error);  // a bug; the next search still runs
    }
    shownOnScreen(state, ourGeneration);
    if (ourGeneration === generation && !settling) resultsSection.setAttribute("aria-busy", "false");
  }
  running = null;
  for (const resolve of idleWaiters.splice(0)) resolve();
}

// The first screen of the newest search's results is shown (the rest of the page may still be
// arriving below it, while the list stays aria-busy).
function shownOnScreen(state, ourGeneration) {
  if (ourGeneration === generation) resultsSection.dataset.shownQuery = state.q;
}

// Nothing asked yet: every listed profile, with the counts the build wrote into the page.
const NOTHING_ASKED = { terms: [], absent: [], corrected: [], offered: [], common: [], mode: "all" };
const builtCounts = {};
for (const node of document.querySelectorAll("[data-facet-count]")) {
  const [key, value] = node.dataset.facetCount.split(":");
  (builtCounts[key] ??= {})[value] = Number(node.textContent);
}
const everyone = () => ({ results: order.name.map((id) => ({ id })), filters: builtCounts });

async function runSearch(state, ourGeneration, typing) {
  const asked = state.q.trim() !== "" || Object.keys(state.filters).length > 0;
  const query = asked ? await planQuery(state.q, typing) : NOTHING_ASKED;
  if (ourGeneration !== generation) return;
  if (typing && query.finished) {  // no word left to complete: this is the settled answer
    clearTimeout(settleTimer);
    settling = false;
  }
  const term = query.terms.length ? query.terms.map((item) => item.text).join(" ") : null;
  const main = asked ? await resultSet(query, state.filters) : everyone();
  if (ourGeneration !== generation || !main) return;
  // Pagefind counts only the facets it has loaded: until it has them all (the first search of a
  // visit), the results show at once and their counts follow (countWhenReady).
  const counted = !asked || filtersReady;
  const counts = !asked ? builtCounts : counted ? await facetCounts(query, state.filters, main) : null;
  if (ourGeneration !== generation) return;
  // With no words there is no relevance to rank by: who can be asked now comes first.
  const applied = state.sort || (term === null && query.mode !== "none" ? "available" : "");
  if (!ranks[applied] && applied) await loadSorts();
  if (ourGeneration !== generation) return;
  sortSelect.value = applied;
  askedFor = state.filters.activity || [];
  shown = ordered(main.results, applied, askedFor);
  withExcerpts = term !== null;
  resultCount.textContent = plural(shown.length);
  showResultsButton.textContent = `Show ${plural(shown.length)}`;
  if (counts) showCounts(counts);
  else countWhenReady(query, state.filters, ourGeneration).catch((error) => { if (error !== STALE) console.error(error); });
  showChips(state.filters);
  resultList.replaceChildren();
  waysOut.hidden = true;
  showNote(query, shown, state.filters);
  if (shown.length === 0) {
    moreButton.hidden = true;
    await showWaysOut(ourGeneration, query, state.filters);
    return;
  }
  await showMore(ourGeneration, () => shownOnScreen(state, ourGeneration));
}

// The counts of a search made before Pagefind had every facet, once it has them (the filter
// panel is aria-busy meanwhile). Not awaited by the search: a newer one need not wait for it.
async function countWhenReady(query, filters, ourGeneration) {
  filterPanel.setAttribute("aria-busy", "true");
  await allFilters();
  if (ourGeneration !== generation) return;
  const main = await resultSet(query, filters);
  if (ourGeneration !== generation) return;
  const counts = await facetCounts(query, filters, main);
  if (ourGeneration === generation) showCounts(counts);
}

function runFromForm(push, typing = false) {
  if (!typing) {
    clearTimeout(settleTimer);
    settling = false;
  }
  const state = stateFromForm();
  if (push) history.pushState(null, "", urlFor(state));
  else history.replaceState(null, "", urlFor(state));
  run(state, typing);
}

// Search a moment after typing stops; meanwhile Pagefind already fetches the index chunks needed.
// The word being typed matches as the start of longer words only until typing settles: then the
// words are searched as they stand, and what shows is what the same words submitted (or linked)
// show. Until then the results stay aria-busy.
let typingTimer;
let settleTimer;
let settling = false;
const SHORT_PREFIX_PAUSE = 250;  // ms
const SETTLE_PAUSE = 700;  // ms without a key before the last word counts as finished
queryInput.addEventListener("input", () => {
  clearTimeout(typingTimer);
  clearTimeout(settleTimer);
  // The last word is still being typed unless a space follows it: it may match as a prefix.
  const typing = !/\s$/.test(queryInput.value);
  settling = typing && queryInput.value.trim() !== "";
  if (settling) {
    resultsSection.setAttribute("aria-busy", "true");
    settleTimer = setTimeout(() => runFromForm(false, false), SETTLE_PAUSE);
  }
  // While a search runs, ask at once: the newest request waits for it and replaces any older
  // one. When idle, wait for a pause in typing no longer than the last search took, so a fast
  // catalog answers each key at once and a slow one is not kept busy by every key. One or two
  // letters being typed match nearly everyone as a prefix — the slowest search there is, and
  // one the next key makes useless: those wait for a real pause.
  const last = queryInput.value.trim().split(/\s+/).pop() || "";
  const delay = typing && last.length > 0 && last.length < 3 ? SHORT_PREFIX_PAUSE
    : running ? 0 : Math.min(60, lastSearchMs);
  typingTimer = setTimeout(() => runFromForm(false, typing), delay);
});
sortSelect.addEventListener("change", () => {
  chosenSort = sortSelect.value;
  runFromForm(true);
});
document.addEventListener("change", (event) => {
  if (event.target.form !== form || event.target === queryInput || event.target === sortSelect) return;
  runFromForm(true);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  runFromForm(true);
});
document.getElementById("clear-filters").addEventListener("click", () => {
  const state = { ...stateFromForm(), filters: {} };
  showStateInForm(state);
  history.pushState(null, "", urlFor(state));
  run(state);
});
moreButton.addEventListener("click", () => showMore(generation));
window.addEventListener("popstate", () => {
  const state = stateFromUrl();
  showStateInForm(state);
  run(state);
});
if (navigator.clipboard) {
  copyButton.hidden = false;
  copyButton.addEventListener("click", async () => {
    await navigator.clipboard.writeText(location.href);
    copyButton.textContent = "Link copied";
    setTimeout(() => { copyButton.textContent = "Copy link to this search"; }, 2000);
  });
}

// The listed results as CSV: the rows of advocates.csv (public fields only), in the order shown.
function csvRows(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const char = text[i];
    if (quoted) {
      if (char === '"' && text[i + 1] === '"') { cell += '"'; i += 1; }
      else if (char === '"') quoted = false;
      else cell += char;
    } else if (char === '"') quoted = true;
    else if (char === ",") { row.push(cell); cell = ""; }
    else if (char === "\n") { row.push(cell.replace(/\r$/, "")); rows.push(row); row = []; cell = ""; }
    else cell += char;
  }
  if (cell || row.length) { row.push(cell); rows.push(row); }
  return rows;
}

function csvLine(cells) {
  return cells.map((cell) => (/[",\r\n]/.test(cell) ? `"${cell.replaceAll('"', '""')}"` : cell)).join(",");
}

let exportRows = null;
const downloadButton = document.getElementById("download-csv");
downloadButton.hidden = false;
downloadButton.addEventListener("click", async () => {
  exportRows ??= fetch(new URL("advocates.csv", siteRoot)).then((response) => response.text()).then(csvRows);
  const [header, ...rows] = await exportRows;
  const byId = new Map(rows.map((row) => [row[0], row]));
  const lines = [header, ...shown.map((result) => byId.get(advocateOf.get(result.id))).filter(Boolean)];
  // A byte-order mark first, as advocates.csv has: Excel on Windows reads UTF-8 only with one.
  const blob = new Blob([`\uFEFF${lines.map(csvLine).join("\r\n")}\r\n`], { type: "text/csv;charset=utf-8" });
  const link = element("a");
  link.href = URL.createObjectURL(blob);
  link.download = "advocates-search.csv";
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(link.href), 1000);
});

// On a narrow screen, filters start folded so the results are on the first screen.
const filterPanel = document.getElementById("filter-panel");
const showResultsButton = document.getElementById("show-results");
showResultsButton.addEventListener("click", () => {
  filterPanel.open = false;
  resultCount.scrollIntoView({ block: "start" });
});
if (window.matchMedia("(max-width: 760px)").matches) filterPanel.open = false;

// The page is usable before this script is: a rep may have typed, ticked or sorted already. The
// address fills only what the person has not touched, then the search runs for what the form
// holds — typed words go on as if typed now, so their last word still completes as it is typed.
const fromUrl = stateFromUrl();
const typedAlready = queryInput.value !== queryInput.defaultValue;
if (!typedAlready) queryInput.value = fromUrl.q;
const sortDefault = Math.max(0, Array.from(sortSelect.options).findIndex((option) => option.defaultSelected));
const sortedAlready = sortSelect.selectedIndex !== sortDefault;
chosenSort = sortedAlready ? sortSelect.value : fromUrl.sort;
for (const box of checkboxes()) {
  if (box.checked === box.defaultChecked) box.checked = (fromUrl.filters[box.name] || []).includes(box.value);
}
document.documentElement.classList.add("search-ready");
for (const [target, event] of [[queryInput, "focus"], [queryInput, "pointerdown"], [filterPanel, "pointerdown"],
  [filterPanel, "focusin"]]) {
  target.addEventListener(event, () => { (target === filterPanel ? allFilters : loadShards)(); }, { once: true });
}
if (document.activeElement === queryInput) loadShards();
if (typedAlready) queryInput.dispatchEvent(new Event("input"));
else runFromForm(false);
