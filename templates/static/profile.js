// A profile's request box: one choice per activity (templates/advocate.html). Shows the one
// asked for — `?activity=` from the search page, else the first that can be asked today — and
// the menu to pick another; without this script every choice shows.
const menu = document.getElementById("ask-activity");
if (menu) {
  const options = Array.from(menu.options);
  const wanted = new URLSearchParams(window.location.search).get("activity");
  const chosen = options.find((option) => option.value === wanted)
    ?? options.find((option) => option.hasAttribute("data-askable")) ?? options[0];
  menu.value = chosen.value;
  const show = () => {
    for (const block of document.querySelectorAll(".ask")) block.hidden = block.dataset.activity !== menu.value;
  };
  menu.addEventListener("change", show);
  show();
  menu.closest(".ask-choice").hidden = false;
}
