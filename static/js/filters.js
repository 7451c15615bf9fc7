// The outcome list's filters, for keyboards and phones (the page works without this):
// - after a checkbox changes, an "Apply filters" button follows it, one Tab away
//   (nothing applies on change itself: a page that changes under a screen reader
//   surprises);
// - after applying, a narrow screen lands on the results with the filters folded away.
"use strict";
(function () {
  const form = document.querySelector("form.filters");
  if (!form) return;
  const apply = document.createElement("button");
  apply.type = "submit";
  apply.className = "apply-here";
  apply.textContent = form.dataset.applyLabel;
  form.addEventListener("change", function (event) {
    const option = event.target.type === "checkbox" && event.target.closest("li, p");
    if (option) option.append(apply);
  });
  const panel = form.querySelector("details.filter-panel");
  const landed = location.hash === "#results-heading";
  if (panel && landed && window.matchMedia("(max-width: 48rem)").matches) panel.open = false;
})();
