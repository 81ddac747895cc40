// Search over Pagefind's JS API. The state (query, filters, sort) lives in the URL so a search can be
// shared as a link and the back button restores it. Result cards are rendered once, at build time, by
// templates/_card.html (advocates/<id>/card.json): this script only places them.

const PAGE_SIZE = 20;
const siteRoot = new URL("./", document.baseURI);
// The index comes in shards (search/0/, search/1/, …) searched together; order.json holds each
// sort order as Pagefind page ids, because Pagefind cannot sort across merged indexes.
const order = await (await fetch(new URL("search/order.json", siteRoot))).json();
// No listed advocate means no index at all: the page already says "0 advocates"; stop here.
if (order.shards.length === 0) throw new Error("the catalog lists no advocates yet");
const [first, ...others] = order.shards;
const pagefind = await import(new URL(`search/${first}/pagefind.js`, siteRoot).href);
await pagefind.options({ baseUrl: siteRoot.pathname });
await pagefind.init();
for (const shard of others) {
  await pagefind.mergeIndex(new URL(`search/${shard}/`, siteRoot).pathname, { baseUrl: siteRoot.pathname });
}
const SORTS = ["available", "asked", "verified", "name"];
const ranks = {};
for (const sort of SORTS) ranks[sort] = new Map(order[sort].map((id, place) => [id, place]));
const advocateOf = new Map(order.name.map((page, place) => [page, order.advocates[place]]));
// Pagefind loads filter data lazily and counts only what it has loaded: load every facet up front.
await pagefind.filters();

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

// --- Searching ----------------------------------------------------------------------------------

function pagefindFilters(filters) {
  const out = {};
  for (const [key, values] of Object.entries(filters)) out[key] = { any: values };
  return out;
}

function searchFor(term, filters) {
  return pagefind.search(term, { filters: pagefindFilters(filters) });
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
async function facetCounts(term, filters, main) {
  const total = main.results.length;
  const counts = {};
  for (const key of facetKeys) counts[key] = { ...(main.filters[key] || {}) };
  for (const key of Object.keys(filters)) {
    const rest = { ...filters };
    delete rest[key];
    const base = await searchFor(term, rest);
    for (const value of Object.keys(labels[key])) {
      if (filters[key].includes(value)) continue;
      const added = (base.filters[key]?.[value] ?? 0) - (main.filters[key]?.[value] ?? 0);
      counts[key][value] = total + added;
    }
  }
  return counts;
}

// With no result, how many advocates dropping each ticked value would give, most first.
async function waysOutOf(term, filters) {
  const options = [];
  for (const [key, values] of Object.entries(filters)) {
    for (const value of values) {
      const found = await searchFor(term, without(filters, key, value));
      if (found.results.length) options.push({ key, value, count: found.results.length });
    }
  }
  return options.sort((a, b) => b.count - a.count);
}

// "Best match" ranks by relevance; at equal relevance, who can be asked now comes first.
function ordered(results, sort) {
  if (sort) {
    const rank = ranks[sort];
    return results
      .map((result) => [rank.get(result.id) ?? rank.size, result])
      .sort((a, b) => a[0] - b[0])
      .map(([, result]) => result);
  }
  const available = ranks.available;
  return results
    .map((result, place) => ({ result, place, score: Number((result.score ?? 0).toPrecision(3)),
                               ready: available.get(result.id) ?? available.size }))
    .sort((a, b) => b.score - a.score || a.ready - b.ready || a.place - b.place)
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

function placeCard(html, excerpt) {
  // The markup comes from this site's build, where _card.html escaped every value.
  const template = document.createElement("template");
  template.innerHTML = html;
  const card = template.content.firstElementChild;
  if (excerpt) card.querySelector(".card-summary").after(excerptNode(excerpt));
  return card;
}

async function showMore(ourGeneration) {
  const start = resultList.children.length;
  // Fetch the page's cards at once, show each as soon as it and those before it have arrived.
  const loading = shown.slice(start, start + PAGE_SIZE).map((result) => Promise.all(
    [cardHtml(result), withExcerpts ? result.data().then((data) => data.excerpt) : null]));
  moreButton.hidden = true;
  for (const next of loading) {
    const [html, excerpt] = await next;
    if (ourGeneration !== generation) return;
    resultList.append(placeCard(html, excerpt));
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

async function showWaysOut(ourGeneration, term, filters) {
  const list = waysOut.querySelector("ul");
  list.replaceChildren();
  const options = Object.keys(filters).length ? await waysOutOf(term, filters) : [];
  if (ourGeneration !== generation) return;
  for (const { key, value, count } of options) {
    const item = element("li");
    item.append(removeButton(key, value, `Remove ${facetNames[key]}: ${labels[key][value]} to see ${plural(count)}`));
    list.append(item);
  }
  waysOut.hidden = options.length === 0;
}

async function run(state) {
  const ourGeneration = ++generation;
  resultsSection.setAttribute("aria-busy", "true");
  try {
    await runSearch(state, ourGeneration);
  } finally {
    if (ourGeneration === generation) resultsSection.setAttribute("aria-busy", "false");
  }
}

async function runSearch(state, ourGeneration) {
  const term = state.q.trim() || null;
  const main = await searchFor(term, state.filters);
  if (ourGeneration !== generation || !main) return;
  const counts = await facetCounts(term, state.filters, main);
  if (ourGeneration !== generation) return;
  // With no words there is no relevance to rank by: who can be asked now comes first.
  const applied = state.sort || (term === null ? "available" : "");
  sortSelect.value = applied;
  shown = ordered(main.results, applied);
  withExcerpts = term !== null;
  resultCount.textContent = plural(shown.length);
  showCounts(counts);
  showChips(state.filters);
  resultList.replaceChildren();
  waysOut.hidden = true;
  note.hidden = true;
  if (shown.length === 0) {
    moreButton.hidden = true;
    await showWaysOut(ourGeneration, term, state.filters);
    return;
  }
  await showMore(ourGeneration);
}

function runFromForm(push) {
  const state = stateFromForm();
  if (push) history.pushState(null, "", urlFor(state));
  else history.replaceState(null, "", urlFor(state));
  run(state);
}

// Search a moment after typing stops; meanwhile Pagefind already fetches the index chunks needed.
let typingTimer;
queryInput.addEventListener("input", () => {
  clearTimeout(typingTimer);
  if (queryInput.value.trim()) pagefind.preload(queryInput.value.trim());
  typingTimer = setTimeout(() => runFromForm(false), 60);
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

// On a narrow screen, filters start folded so the results are on the first screen.
const filterPanel = document.getElementById("filter-panel");
if (window.matchMedia("(max-width: 760px)").matches) filterPanel.open = false;

const initial = stateFromUrl();
showStateInForm(initial);
document.documentElement.classList.add("search-ready");
run(initial);
