// The nominate form: nine answers become a nomination file, opened on GitHub's "new file" page.
// What the page derives (the id, region, persona, owner) follows the rules the build writes into
// #nominate-rules, taken from src/advocate_catalog/nominate.py; the functions exported here are
// run under Node by the tests and compared with their Python twins.
// Text answers are written as JSON strings, which are also YAML double-quoted scalars, and the
// story as a literal block: nothing typed here can change the file's structure.

// What a YAML file cannot hold (control characters, non-characters, a BOM, half a surrogate pair).
const CANNOT_HOLD = /[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x84\x86-\x9f\ufdd0-\ufdef\ufeff\ufffe\uffff]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;
// JavaScript's \s, as nominate.py's _SPACES spells it out.
const SPACES = /[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+/;
// Words YAML 1.1 reads as something other than text when written bare.
const YAML_WORDS = /^(y|n|yes|no|on|off|true|false|null)$/;

function escapeRegExp(text) {
  return text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
}

const transliterators = new WeakMap();

function transliterator(rules) {
  if (!transliterators.has(rules)) {
    const keys = Object.keys(rules.transliteration).sort((a, b) => b.length - a.length);
    transliterators.set(rules, new RegExp(keys.map(escapeRegExp).join("|"), "g"));
  }
  return transliterators.get(rules);
}

/** Lowercase, accents and other marks dropped, Cyrillic and Greek in Latin letters (nominate.plain). */
export function plain(text, rules) {
  const folded = text.toLowerCase().normalize("NFKD").replace(/\p{M}/gu, "");
  return folded.replace(transliterator(rules), (letters) => rules.transliteration[letters]);
}

export function slugify(text, rules) {
  return plain(text, rules).replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

/** FNV-1a (32 bits) of the UTF-8 bytes, 8 hex digits (nominate.fnv1a). */
export function fnv1a(text) {
  let value = 0x811c9dc5;
  for (const byte of new TextEncoder().encode(text)) {
    value = Math.imul(value ^ byte, 0x01000193) >>> 0;
  }
  return value.toString(16).padStart(8, "0");
}

function trimmed(slug, most) {
  return slug.slice(0, most).replace(/^-+|-+$/g, "");
}

/** The nomination's id, never blank (nominate.derive_id). */
export function deriveId(name, company, rules) {
  const base = slugify(name, rules);
  const letters = plain(name, rules).match(/\p{L}/gu) || [];
  if (/[a-z]/.test(base) && letters.every((c) => c >= "a" && c <= "z")) return trimmed(base, rules.max_id);
  const spaced = name.normalize("NFC").split(SPACES).filter(Boolean).join(" ");
  const digest = fnv1a(spaced).slice(0, rules.id_hash_digits);
  const prefix = trimmed(slugify(company, rules), rules.max_id - rules.id_hash_digits - 1) || "advocate";
  return `${prefix}-${digest}`;
}

function nameWords(name, rules) {
  return plain(name, rules).replace(/[^\p{L}\p{N}]+/gu, " ").split(" ").filter(Boolean);
}

/** Folded words in alphabetical order: how names are compared (nominate.name_key). */
export function nameKey(name, rules) {
  return nameWords(name, rules).sort().join(" ");
}

/** The ISO code of a country typed as a name, code or alias; "" when none (importer._folded). */
export function countryCode(text, rules) {
  const key = plain(text, rules).replace(/\./g, "").split(SPACES).filter(Boolean).join(" ");
  return rules.countries[key] || "";
}

/** Could more typing still make `text` a country? (Then no message yet.) */
function countryPrefix(text, rules) {
  const key = plain(text, rules).replace(/\./g, "").split(SPACES).filter(Boolean).join(" ");
  return !key || Object.keys(rules.countries).some((name) => name.startsWith(key));
}

export function personaFor(title, rules) {
  const folded = plain(title, rules);
  const match = rules.personas.find(([, pattern]) => new RegExp(pattern, "i").test(folded));
  return match ? match[0] : "";
}

/** Text as YAML can hold it: one kind of line break, nothing it cannot represent. */
export function cleanText(text) {
  return text.replace(/\r\n?|[\x85\u2028\u2029]/g, "\n").replace(CANNOT_HOLD, "");
}

/** One line of text: breaks and tabs become spaces, the ends trimmed. */
export function cleanLine(text) {
  return cleanText(text).replace(/[\t\n]/g, " ").trim();
}

/** A YAML literal block scalar (`|`) for `text`, indented two spaces, reading back to `text`
 * exactly: an indentation indicator when it starts with a space or a line break (as PyYAML
 * writes it) or a tab (which libyaml, our loader, refuses where it guesses the indentation),
 * `-` when it does not end in a line break, `+` when it ends in more than one. */
export function blockScalar(text) {
  const indicator = /^[ \t\n]/.test(text) ? "2" : "";
  const chomping = !text.endsWith("\n") ? "-" : (text === "\n" || text.endsWith("\n\n")) ? "+" : "";
  const body = text.endsWith("\n") ? text.slice(0, -1) : text;
  const lines = body.split("\n").map((line) => (line ? `  ${line}` : ""));
  return `|${indicator}${chomping}\n${lines.join("\n")}\n`;
}

function quoted(text) {
  return JSON.stringify(text);
}

function word(id) {
  return /^[a-z][a-z0-9-]*$/.test(id) && !YAML_WORDS.test(id) ? id : quoted(id);
}

/** The nomination file, fields in nominate.NOMINATION_ORDER. */
export function nominationYaml(values) {
  const lines = [
    `id: ${word(values.id)}`,
    `name: ${quoted(values.name)}`,
    `title: ${quoted(values.title)}`,
    ...(values.persona ? [`persona: ${word(values.persona)}`] : []),
    ...(values.function ? [`function: ${word(values.function)}`] : []),
    "company:",
    `  name: ${quoted(values.company)}`,
    `  industry: ${word(values.industry)}`,
    `  size: ${word(values.size)}`,
    `  region: ${word(values.region)}`,
    `  country: ${quoted(values.country)}`,
    `products: [${values.products.map(word).join(", ")}]`,
    `nominated_by: ${quoted(values.nominated_by)}`,
    `nominated_on: ${values.nominated_on}`,
    `owner: ${word(values.owner)}`,
    `reason: ${quoted(values.reason)}`,
  ];
  const text = lines.join("\n") + "\n";
  return values.story ? `${text}story: ${blockScalar(values.story)}` : text;
}

/** Edit distance, or `most + 1` as soon as it must be more than `most`. */
function distance(a, b, most) {
  if (Math.abs(a.length - b.length) > most) return most + 1;
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) {
      row[j] = Math.min(previous[j] + 1, row[j - 1] + 1, previous[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    }
    if (Math.min(...row) > most) return most + 1;
    previous = row;
  }
  return previous[b.length];
}

const NEAR_LETTERS = 8;
const NEAR_EDITS = 2;

/** Listed advocates (names.json) with their keys worked out once. Only people the site shows
 * are here: a hidden one is caught when the nomination is reviewed, never confirmed to a guesser. */
export function knownNames(names, rules) {
  return {
    listed: names.listed.map((entry) => ({
      ...entry,
      key: nameKey(entry.name, rules),
      ordered: nameWords(entry.name, rules).join(" "),
    })),
  };
}

/** Whom the catalog shows that a typed name looks like: {kind: "listed", entry, exact}, or null. */
export function similarName(name, known, rules) {
  const key = nameKey(name, rules);
  if (!key) return null;
  const ordered = nameWords(name, rules).join(" ");
  const exact = known.listed.find((entry) => entry.key === key);
  if (exact) return { kind: "listed", entry: exact, exact: true };
  if (key.replace(/ /g, "").length >= NEAR_LETTERS) {
    let best = null;
    let bestDistance = NEAR_EDITS + 1;
    for (const entry of known.listed) {
      if (entry.key.replace(/ /g, "").length < NEAR_LETTERS) continue;
      const edits = Math.min(distance(key, entry.key, NEAR_EDITS), distance(ordered, entry.ordered, NEAR_EDITS));
      if (edits < bestDistance) [best, bestDistance] = [entry, edits];
    }
    if (best) return { kind: "listed", entry: best, exact: false };
  }
  return null;
}

function localDay() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

const OTHER = "(someone-else)";
// Filled in by the page; once the nominator changes one, it is theirs (setting a value from
// script fires no input event, so only a person's change counts).
const DERIVED = ["region", "persona", "owner"];
const REMEMBERED = "advocate-catalog:nominator";
const LINE_MAX = 300;

function start(form) {
  const rules = JSON.parse(document.getElementById("nominate-rules").textContent);
  const field = (name) => form.elements[name];
  const submit = document.getElementById("nominate-submit");
  const ready = submit.textContent;
  const touched = new Set();
  const edited = new Set();
  let attempted = false;
  let known = { listed: [] };

  const textValue = (name) => cleanLine(field(name).value);
  const products = () => Array.from(form.querySelectorAll('input[name="products"]:checked'), (box) => box.value);
  const size = () => form.querySelector('input[name="size"]:checked')?.value || "";

  // [field name, problem or ""] for every answer, in the page's order. The same rules as
  // `validate`: required answers, one line of at most 300 characters, choices from the lists.
  function problems() {
    const line = (name, what) => {
      const value = textValue(name);
      if (!value) return `Needed: ${what}.`;
      return value.length > LINE_MAX ? `At most ${LINE_MAX} characters (now ${value.length}).` : "";
    };
    const country = textValue("country");
    const list = [
      ["name", line("name", "the customer's full name")],
      ["title", line("title", "their job title")],
      ["company", line("company", "the company's name")],
      ["country", !country ? "Needed: the country." : countryCode(country, rules) ? ""
        : `No country is called “${country}”: choose one from the list, or type its code (e.g. GB).`],
      ["industry", field("industry").value ? "" : "Choose an industry."],
      ["size", size() ? "" : "Choose a company size."],
      ["products", products().length ? "" : "Choose at least one product."],
      ["reason", cleanText(field("reason").value).trim() ? "" : "Needed: a sentence or two on why."],
      ["who", field("who").value ? "" : "Choose yourself from the list, or “Someone else”."],
    ];
    if (field("who").value === OTHER) list.push(["nominated_by", line("nominated_by", "your name or work email")]);
    list.push(["region", field("region").value ? "" : "Choose the region."]);
    list.push(["owner", field("owner").value ? "" : "Choose who will hold the relationship."]);
    return list;
  }

  function errorOf(name) {
    return document.getElementById(`f-${name}-error`);
  }

  function control(name) {
    const target = field(name);
    return target instanceof RadioNodeList ? target[0] : target;
  }

  function show(name, message) {
    const error = errorOf(name);
    error.textContent = message;
    error.hidden = !message;
    const group = document.getElementById(`f-${name}-group`);
    for (const element of group ? [group] : [control(name)]) {
      if (message) element.setAttribute("aria-invalid", "true");
      else element.removeAttribute("aria-invalid");
    }
  }

  function shortName(name) {
    return (document.getElementById(`f-${name}-group`) || control(name)).dataset.short;
  }

  function update() {
    const list = problems();
    const open = list.filter(([, message]) => message);
    for (const [name, message] of list) {
      const live = name === "country" && message && !countryPrefix(textValue("country"), rules);
      show(name, attempted || touched.has(name) || live ? message : "");
    }
    if (!open.length) {
      submit.textContent = ready;
    } else {
      const names = open.map(([name]) => shortName(name));
      const more = names.length > 3 ? ` and ${names.length - 3} more` : "";
      submit.textContent = `Still needed: ${names.slice(0, 3).join(", ")}${more}`;
    }
    return open;
  }

  function setDerived(name, value) {
    if (edited.has(name)) return;
    const select = field(name);
    if (!value || Array.from(select.options).some((option) => option.value === value)) select.value = value;
  }

  function derive() {
    const name = textValue("name");
    const id = name ? deriveId(name, textValue("company"), rules) : "";
    document.getElementById("nomination-file").textContent = id ? `nominations/${id}.yaml` : "";
    document.getElementById("nomination-file-pending").hidden = Boolean(id);
    const code = countryCode(textValue("country"), rules);
    const found = document.getElementById("f-country-found");
    found.textContent = code ? `${rules.country_names[code] || code} (${code})` : "";
    if (code) setDerived("region", rules.regions[code] || "");
    setDerived("persona", personaFor(textValue("title"), rules));
    const who = field("who").value;
    document.getElementById("f-nominated_by-field").hidden = who !== OTHER;
    if (who) setDerived("owner", who === OTHER ? "" : who);
  }

  let pending = 0;
  function warnSimilar() {
    clearTimeout(pending);
    pending = setTimeout(() => {
      const note = document.getElementById("f-name-similar");
      const match = similarName(textValue("name"), known, rules);
      note.replaceChildren();
      if (!match) return;
      const { entry } = match;
      const link = document.createElement("a");
      link.href = new URL(`../${entry.url}`, import.meta.url).href;
      link.textContent = "open the profile";
      const who = `${entry.name} (${entry.company})`;
      note.append(match.exact ? `${who} is already in the catalog — ` : `Did you mean ${who}? They are already in the catalog — `, link);
    }, 120);
  }

  function remember(who, nominatedBy) {
    try {
      localStorage.setItem(REMEMBERED, JSON.stringify({ who, nominated_by: who === OTHER ? nominatedBy : "" }));
    } catch {
      // Storage blocked: the form works, it just asks again next time.
    }
  }

  function recall() {
    try {
      const saved = JSON.parse(localStorage.getItem(REMEMBERED) || "null");
      if (saved && Array.from(field("who").options).some((option) => option.value === saved.who)) {
        field("who").value = saved.who;
        field("nominated_by").value = saved.nominated_by || "";
      }
    } catch {
      // Nothing remembered, or storage blocked.
    }
  }

  form.addEventListener("input", (event) => {
    if (DERIVED.includes(event.target.name)) edited.add(event.target.name);
    derive();
    update();
    if (event.target.name === "name") warnSimilar();
  });
  form.addEventListener("change", (event) => {
    if (DERIVED.includes(event.target.name)) edited.add(event.target.name);
    touched.add(event.target.name);
    derive();
    update();
  });
  form.addEventListener("focusout", (event) => {
    // A text answer left with something in it is checked from then on; lists, when changed.
    if (event.target.matches("input:not([type=checkbox]):not([type=radio]), textarea") && event.target.value) {
      touched.add(event.target.name);
    }
    update();
  });

  form.addEventListener("submit", (event) => {
    event.preventDefault();
    attempted = true;
    derive();
    const open = update();
    if (open.length) {
      const [name] = open[0];
      control(name).focus();
      return;
    }
    const who = field("who").value;
    const values = {
      id: deriveId(textValue("name"), textValue("company"), rules),
      name: textValue("name"),
      title: textValue("title"),
      persona: field("persona").value,
      function: field("function").value,
      company: textValue("company"),
      industry: field("industry").value,
      size: size(),
      region: field("region").value,
      country: countryCode(textValue("country"), rules),
      products: products(),
      nominated_by: who === OTHER ? textValue("nominated_by") : rules.owners[who].email,
      nominated_on: localDay(),
      owner: field("owner").value,
      reason: cleanText(field("reason").value).trim(),
      story: cleanText(field("story").value).trimEnd().replace(/^\n+/, ""),
    };
    if (values.story) values.story += "\n";
    remember(who, textValue("nominated_by"));
    const yaml = nominationYaml(values);
    const filename = `nominations/${values.id}.yaml`;
    document.getElementById("nomination-yaml").textContent = yaml;
    document.getElementById("nomination-filename").textContent = filename;
    const link = document.getElementById("open-on-github");
    const repository = form.dataset.repository;
    if (repository) {
      const params = new URLSearchParams({ filename, value: yaml });
      link.href = `${repository}/new/${encodeURIComponent(form.dataset.branch)}?${params}`;
    }
    link.hidden = !repository;
    document.getElementById("nomination-result").hidden = false;
    (repository ? link : document.getElementById("nomination-yaml")).focus();
  });

  recall();
  derive();
  update();
  fetch(new URL("../nominate/names.json", import.meta.url))
    .then((response) => (response.ok ? response.json() : { listed: [] }))
    .then((names) => {
      known = knownNames(names, rules);
      if (textValue("name")) warnSimilar();
    })
    .catch(() => {});  // without the list the form still works; the review catches duplicates
  form.dataset.ready = "true";
}

if (typeof document !== "undefined") {
  const form = document.getElementById("nominate-form");
  if (form) start(form);
}
