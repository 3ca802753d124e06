// With htmx the estimate refreshes as the form changes, so the no-JS "Update estimate"
// button is hidden; everything still works without this file.
document.documentElement.classList.add("js-enhanced");
