// Progressive enhancement only: the filter form works without this file.
// Ticking a facet or changing the sort order applies the filters at once.
document.addEventListener("change", (event) => {
  const form = event.target.closest("form.filters");
  if (form && (event.target.type === "checkbox" || event.target.tagName === "SELECT")) {
    form.requestSubmit();
  }
});
