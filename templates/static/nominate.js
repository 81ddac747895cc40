// Build a nomination file from the form and open GitHub's "new file" page prefilled with it.
// Every text answer is written as a JSON string, which is also a valid YAML double-quoted scalar,
// so nothing typed here can change the file's structure.

const form = document.getElementById("nominate-form");
const idInput = form.elements.id;
const BASE_LETTERS = { "ø": "o", "æ": "ae", "œ": "oe", "ß": "ss", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i" };
let idEdited = false;

function slugify(text) {
  const folded = text.toLowerCase().replace(/[øæœßłđðþı]/g, (c) => BASE_LETTERS[c]);
  return folded.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
}

function text(value) {
  // Line and paragraph separators would end a YAML line; write them as plain spaces.
  return JSON.stringify(value.replace(/[\u2028\u2029]/g, " ").trim());
}

function today() {
  const now = new Date();
  const pad = (n) => String(n).padStart(2, "0");
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

function nominationYaml(values) {
  const lines = [
    `id: ${values.id}`,
    `name: ${text(values.name)}`,
    `title: ${text(values.title)}`,
    `persona: ${values.persona}`,
    ...(values.function ? [`function: ${values.function}`] : []),
    "company:",
    `  name: ${text(values.company)}`,
    `  industry: ${values.industry}`,
    `  size: ${values.size}`,
    `  region: ${values.region}`,
    `  country: ${text(values.country.toUpperCase())}`,
    `products: [${values.products.join(", ")}]`,
    `nominated_by: ${text(values.nominated_by)}`,
    `nominated_on: ${today()}`,
    `owner: ${values.owner}`,
    `reason: ${text(values.reason)}`,
  ];
  if (values.story.trim()) lines.push(`story: ${text(values.story)}`);
  return lines.join("\n") + "\n";
}

form.elements.name.addEventListener("input", () => {
  if (!idEdited) idInput.value = slugify(form.elements.name.value);
});
idInput.addEventListener("input", () => { idEdited = true; });

form.addEventListener("submit", (event) => {
  event.preventDefault();
  const products = Array.from(form.querySelectorAll('input[name="products"]:checked'), (box) => box.value);
  const productBoxes = form.querySelectorAll('input[name="products"]');
  productBoxes[0].setCustomValidity(products.length ? "" : "Choose at least one product.");
  if (!form.reportValidity()) return;
  const values = Object.fromEntries(new FormData(form));
  values.products = products;
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
  const result = document.getElementById("nomination-result");
  result.hidden = false;
  link.focus();
});

form.addEventListener("change", (event) => {
  if (event.target.name === "products") event.target.form.querySelectorAll('input[name="products"]')[0].setCustomValidity("");
});
