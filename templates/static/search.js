// Search over Pagefind's JS API. The state (query, filters, sort) lives in the URL so a search can be
// shared as a link and the back button restores it. Cards are built with DOM calls, never innerHTML.

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
const ranks = {};
for (const sort of ["name", "verified"]) ranks[sort] = new Map(order[sort].map((id, place) => [id, place]));
// Pagefind loads filter data lazily and counts only what it has loaded: load every facet up front.
await pagefind.filters();

const form = document.getElementById("search-form");
const queryInput = document.getElementById("q");
const sortSelect = document.getElementById("sort");
const resultList = document.getElementById("results");
const resultCount = document.getElementById("result-count");
const moreButton = document.getElementById("more");
const labels = JSON.parse(document.getElementById("facet-labels").textContent);
const facetKeys = Object.keys(labels);
const SORTS = ["name", "verified"];

let shown = [];
let generation = 0;

// Filter boxes sit outside the <form> element and join it through their form= attribute.
function checkboxes() {
  return Array.from(form.elements).filter((control) => control.type === "checkbox");
}

function stateFromForm() {
  const state = { q: queryInput.value, sort: sortSelect.value, filters: {} };
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
  sortSelect.value = state.sort;
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

// Pagefind marks matches with <mark>; keep those and treat everything else as text.
function excerptNode(excerpt) {
  const paragraph = element("p", "card-excerpt");
  excerpt.split(/(<mark>.*?<\/mark>)/g).forEach((part) => {
    const match = part.match(/^<mark>(.*)<\/mark>$/);
    paragraph.append(match ? element("mark", "", match[1]) : document.createTextNode(part));
  });
  return paragraph;
}

function cardNode(data, withExcerpt) {
  const meta = data.meta;
  const card = element("li", "card");
  const heading = element("h2", "card-name");
  const link = element("a", "", meta.title);
  link.href = data.url;
  link.dir = "auto";
  heading.append(link);
  const role = element("p", "card-role", `${meta.job} · ${meta.company}`);
  role.dir = "auto";
  card.append(heading, role);
  const tags = element("p", "card-tags");
  const status = element("span", `badge status-${meta.status}`, labels.status[meta.status] || meta.status);
  const available = element("span", `badge availability-${meta.availability}`, meta.availabilitytext);
  tags.append(element("span", "", meta.industry), " ", element("span", "", meta.region), " ");
  if (meta.function) tags.append(element("span", "", meta.function), " ");
  tags.append(status, " ", available);
  if (meta.freshness === "stale" || meta.freshness === "due-soon") {
    const text = meta.freshness === "stale" ? "Needs verification" : "Verification due soon";
    tags.append(" ", element("span", `badge freshness-${meta.freshness}`, text));
  }
  card.append(tags, element("p", "card-summary", meta.summary));
  if (withExcerpt && data.excerpt) card.append(excerptNode(data.excerpt));
  if (meta.willing) {
    const willing = element("p", "card-willing");
    willing.append(element("span", "visually-hidden", "Willing to do: "), meta.willing);
    card.append(willing);
  }
  return card;
}

function showCounts(counts) {
  for (const node of document.querySelectorAll("[data-facet-count]")) {
    const [key, value] = node.dataset.facetCount.split(":");
    const count = counts[key]?.[value] ?? 0;
    node.textContent = count;
    node.closest("label").classList.toggle("is-empty", count === 0);
  }
}

async function showMore(ourGeneration, withExcerpt) {
  const start = resultList.children.length;
  // Fetch the page's cards at once, show each as soon as it and those before it have arrived.
  const loading = shown.slice(start, start + PAGE_SIZE).map((r) => r.data());
  for (const next of loading) {
    const data = await next;
    if (ourGeneration !== generation) return;
    resultList.append(cardNode(data, withExcerpt));
  }
  moreButton.hidden = resultList.children.length >= shown.length;
}

function sortBy(results, sort) {
  const rank = ranks[sort];
  const last = rank.size;
  return results
    .map((result) => [rank.get(result.id) ?? last, result])
    .sort((a, b) => a[0] - b[0])
    .map(([, result]) => result);
}

async function run(state) {
  const ourGeneration = ++generation;
  const filters = {};
  for (const [key, values] of Object.entries(state.filters)) filters[key] = { any: values };
  const term = state.q.trim() || null;
  const search = await pagefind.search(term, { filters });
  if (ourGeneration !== generation || !search) return;
  // With no words there is no relevance to rank by: browse alphabetically unless asked otherwise.
  const sort = state.sort || (term === null ? "name" : "");
  shown = sort ? sortBy(search.results, sort) : search.results;
  resultCount.textContent = `${shown.length} ${shown.length === 1 ? "advocate" : "advocates"}`;
  showCounts(search.filters);
  resultList.replaceChildren();
  await showMore(ourGeneration, term !== null);
}

// Search a moment after typing stops; meanwhile Pagefind already fetches the index chunks needed.
let typingTimer;
queryInput.addEventListener("input", () => {
  clearTimeout(typingTimer);
  if (queryInput.value.trim()) pagefind.preload(queryInput.value.trim());
  typingTimer = setTimeout(() => {
    const state = stateFromForm();
    history.replaceState(null, "", urlFor(state));
    run(state);
  }, 60);
});
document.addEventListener("change", (event) => {
  if (event.target.form !== form || event.target === queryInput) return;
  const state = stateFromForm();
  history.pushState(null, "", urlFor(state));
  run(state);
});
form.addEventListener("submit", (event) => {
  event.preventDefault();
  const state = stateFromForm();
  history.pushState(null, "", urlFor(state));
  run(state);
});
document.getElementById("clear-filters").addEventListener("click", () => {
  const state = { ...stateFromForm(), filters: {} };
  showStateInForm(state);
  history.pushState(null, "", urlFor(state));
  run(state);
});
moreButton.addEventListener("click", () => showMore(generation, Boolean(queryInput.value.trim())));
window.addEventListener("popstate", () => {
  const state = stateFromUrl();
  showStateInForm(state);
  run(state);
});

// On a narrow screen, filters start folded so the results are on the first screen.
const filterPanel = document.getElementById("filter-panel");
if (window.matchMedia("(max-width: 760px)").matches) filterPanel.open = false;

const initial = stateFromUrl();
showStateInForm(initial);
document.documentElement.classList.add("search-ready");
run(initial);
