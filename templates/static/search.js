// Search over Pagefind's JS API. The state (query, filters, sort) lives in the URL so a search can be
// shared as a link and the back button restores it. Result cards are rendered once, at build time, by
// templates/_card.html (advocates/<id>/card.json): this script only places them.

const PAGE_SIZE = 20;
const siteRoot = new URL("./", document.baseURI);
// The index comes in shards (search/0/, search/1/, …). Each is a Pagefind index of its own, asked
// only for words its profiles hold (search/<k>/words.json): Pagefind answers a word an index
// lacks with the word's longest prefix it has, so a merged index would find "or" for "Oracle"
// wherever one shard lacks a word another has. order.json holds each sort order as page ids.
const order = await (await fetch(new URL("search/order.json", siteRoot))).json();
// No listed advocate means no index at all: the page already says "0 advocates"; stop here.
if (order.shards.length === 0) throw new Error("the catalog lists no advocates yet");
const shards = await Promise.all(order.shards.map(async (id) => {
  // One module instance per shard: the same script under a URL of its own.
  const pagefind = await import(new URL(`search/${id}/pagefind.js?shard=${id}`, siteRoot).href);
  await pagefind.options({ baseUrl: siteRoot.pathname });
  await pagefind.init();
  // Pagefind loads filter data lazily and counts only what it has loaded: load every facet up front.
  await pagefind.filters();
  return { id, pagefind, words: null };
}));
const SORTS = ["available", "asked", "verified", "name"];
const ranks = {};
for (const sort of SORTS) ranks[sort] = new Map(order[sort].map((id, place) => [id, place]));
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
    const values = params.getAll(key).filter((value) => value in labels[key]);
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
const SHORT = 3;  // finished words this short are matched exactly, by the shard's list of profiles
// Suffixes a light English stemmer strips, so "migrating", "migration" and "migrate" meet.
const SUFFIXES = ["ations", "ation", "ions", "ion", "ings", "ing", "ies", "ied", "ers", "er", "ed", "es",
  "ly", "e", "s"];
const LATIN_OR_DIGITS = /^[a-z0-9\u00c0-\u024f]+$/;

function stem(word) {
  if (word.length <= 4) return word;
  for (const suffix of SUFFIXES) {
    if (word.endsWith(suffix) && word.length - suffix.length >= 3) {
      const base = word.slice(0, -suffix.length);
      return suffix === "ies" || suffix === "ied" ? `${base}y` : base;
    }
  }
  return word;
}

// The words a shard's profiles hold, loaded once per shard.
function shardWords(shard) {
  shard.words ??= fetch(new URL(`search/${shard.id}/words.json`, siteRoot)).then((response) => response.json())
    .then(({ words: list, short }) => ({ list, exact: new Set(list), stems: new Set(list.map(stem)),
                                         short: new Map(Object.entries(short).map(([w, ids]) => [w, new Set(ids)])) }));
  return shard.words;
}

// A finished word is held when the shard has it or a word of the same stem; the word being typed
// (the last, no space after it yet) also when one of the shard's words starts with it. Words of
// other scripts are left to Pagefind.
function holds(known, { word, prefix }) {
  return !LATIN_OR_DIGITS.test(word) || known.exact.has(word) || known.stems.has(stem(word))
    || (prefix && hasPrefix(known.list, word));
}

async function holdsAll(shard, list) {
  const known = await shardWords(shard);
  return list.every((item) => holds(known, item));
}

function hasPrefix(list, prefix) {
  let low = 0;
  let high = list.length;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (list[middle] < prefix) low = middle + 1;
    else high = middle;
  }
  return low < list.length && list[low].startsWith(prefix);
}

// The query's words, each marked as found in some shard or in none.
async function queryWords(text, typing) {
  const all = text.toLowerCase().match(/[\p{L}\p{N}]+/gu) || [];
  const kept = all.filter((word) => !STOP_WORDS.has(word));
  const chosen = kept.length ? kept : all;
  const known = await Promise.all(shards.map(shardWords));
  return chosen.map((word, place) => {
    const item = { word, prefix: typing && place === chosen.length - 1 };
    return { ...item, found: known.some((shard) => holds(shard, item)) };
  });
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

function addCounts(into, counts) {
  for (const [key, values] of Object.entries(counts || {})) {
    into[key] ??= {};
    for (const [value, count] of Object.entries(values)) into[key][value] = (into[key][value] ?? 0) + count;
  }
  return into;
}

// Search the shards that hold every word (all of them without words), as one result set.
async function searchFor(list, filters) {
  if (activeGeneration !== generation) throw STALE;  // a newer search waits: stop this one here
  const term = list.length ? list.map((item) => item.word).join(" ") : null;
  const asked = term === null ? shards
    : (await Promise.all(shards.map(async (shard) => ((await holdsAll(shard, list)) ? shard : null))))
      .filter(Boolean);
  const found = await Promise.all(asked.map((shard) => shard.pagefind.search(term,
    { filters: pagefindFilters(filters) })));
  const merged = { results: [], filters: {} };
  // Pagefind matches every word as a prefix ("ai" finds "Aino"): a short finished word keeps only
  // the profiles that hold it, and the counts are taken from those profiles' own filters.
  const exact = list.filter((item) => !item.prefix && item.word.length <= SHORT && LATIN_OR_DIGITS.test(item.word));
  for (const [place, answer] of found.entries()) {
    if (!answer) continue;
    if (!exact.length) {
      merged.results.push(...answer.results);
      addCounts(merged.filters, answer.filters);
      continue;
    }
    const known = await shardWords(asked[place]);
    const kept = answer.results.filter((result) => exact.every(
      ({ word }) => known.short.get(word)?.has(advocateOf.get(result.id))));
    merged.results.push(...kept);
    for (const data of await Promise.all(kept.map((result) => result.data()))) {
      for (const [key, values] of Object.entries(data.filters || {})) {
        merged.filters[key] ??= {};
        for (const value of values) merged.filters[key][value] = (merged.filters[key][value] ?? 0) + 1;
      }
    }
  }
  return merged;
}

const MOST_WORDS = 4;  // "matching most" combines every subset of at most this many words

// What a query asks of Pagefind: its words found in the catalog, and whether results hold the one
// word ("all"), any of several, those with the most of them first ("most"), or nothing can match.
async function planQuery(text, typing) {
  const parsed = await queryWords(text, typing);
  const present = parsed.filter((w) => w.found);
  const absent = parsed.filter((w) => !w.found).map((w) => w.word);
  if (parsed.length === 0) return { words: [], absent, mode: "all" };
  if (present.length === 0) return { words: [], absent, mode: "none" };
  if (present.length === 1 && !absent.length) return { words: present, absent, mode: "all" };
  return { words: present.slice(0, MOST_WORDS), absent, mode: "most" };
}

// Results and filter counts of a query under filters. In "most" mode the results are those with
// any of the words, each knowing how many it holds, and the counts come by inclusion–exclusion
// over the searches for every subset of the words (Pagefind ANDs the words of one search).
async function resultSet(query, filters) {
  if (query.mode === "none") return { results: [], filters: {} };
  if (query.mode === "all") {
    const found = await searchFor(query.words, filters);
    for (const result of found.results) result.matched = query.words.length;
    return found;
  }
  const subsets = [];
  for (let mask = 1; mask < 1 << query.words.length; mask += 1) {
    subsets.push(query.words.filter((_, place) => mask & (1 << place)));
  }
  const found = await Promise.all(subsets.map((subset) => searchFor(subset, filters)));
  const byId = new Map();
  const counts = {};
  subsets.forEach((subset, place) => {
    const sign = subset.length % 2 ? 1 : -1;
    for (const [key, values] of Object.entries(found[place].filters || {})) {
      counts[key] ??= {};
      for (const [value, count] of Object.entries(values)) {
        counts[key][value] = (counts[key][value] ?? 0) + sign * count;
      }
    }
    if (subset.length !== 1) return;
    for (const result of found[place].results) {
      const entry = byId.get(result.id) ?? { result, matched: 0, score: 0 };
      entry.matched += 1;
      entry.score += result.score ?? 0;
      byId.set(result.id, entry);
    }
  });
  const results = Array.from(byId.values(), ({ result, matched, score }) => Object.assign(result, { matched, score }));
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

function showNote(query, results) {
  let text = "";
  const complete = results.some((result) => result.matched === query.words.length);
  if (query.mode === "none") {
    text = `No advocate’s profile mentions ${quoted(query.absent)}. Check the spelling, or try a word `
      + "from the story you are after.";
  } else if (query.absent.length) {
    text = `No advocate mentions ${quoted(query.absent)}; showing those matching the other words, `
      + "most first.";
  } else if (query.mode === "most" && results.length && !complete) {
    text = "No advocate matches all words; showing those matching most.";
  }
  note.textContent = text;
  note.hidden = !text;
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
    if (ourGeneration === generation) resultsSection.setAttribute("aria-busy", "false");
  }
  running = null;
}

// The first screen of the newest search's results is shown (the rest of the page may still be
// arriving below it, while the list stays aria-busy).
function shownOnScreen(state, ourGeneration) {
  if (ourGeneration === generation) resultsSection.dataset.shownQuery = state.q;
}

async function runSearch(state, ourGeneration, typing) {
  const query = await planQuery(state.q, typing);
  if (ourGeneration !== generation) return;
  const term = query.words.length ? query.words.map((item) => item.word).join(" ") : null;
  const main = await resultSet(query, state.filters);
  if (ourGeneration !== generation || !main) return;
  const counts = await facetCounts(query, state.filters, main);
  if (ourGeneration !== generation) return;
  // With no words there is no relevance to rank by: who can be asked now comes first.
  const applied = state.sort || (term === null && query.mode !== "none" ? "available" : "");
  sortSelect.value = applied;
  askedFor = state.filters.activity || [];
  shown = ordered(main.results, applied, askedFor);
  withExcerpts = term !== null;
  resultCount.textContent = plural(shown.length);
  showResultsButton.textContent = `Show ${plural(shown.length)}`;
  showCounts(counts);
  showChips(state.filters);
  resultList.replaceChildren();
  waysOut.hidden = true;
  showNote(query, shown);
  if (shown.length === 0) {
    moreButton.hidden = true;
    await showWaysOut(ourGeneration, query, state.filters);
    return;
  }
  await showMore(ourGeneration, () => shownOnScreen(state, ourGeneration));
}

function runFromForm(push, typing = false) {
  const state = stateFromForm();
  if (push) history.pushState(null, "", urlFor(state));
  else history.replaceState(null, "", urlFor(state));
  run(state, typing);
}

// Search a moment after typing stops; meanwhile Pagefind already fetches the index chunks needed.
let typingTimer;
const SHORT_PREFIX_PAUSE = 250;  // ms
queryInput.addEventListener("input", () => {
  clearTimeout(typingTimer);
  // The last word is still being typed unless a space follows it: it may match as a prefix.
  const typing = !/\s$/.test(queryInput.value);
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

const initial = stateFromUrl();
showStateInForm(initial);
document.documentElement.classList.add("search-ready");
run(initial);
