// Every htmx region says when it is loading: the swapped element gets aria-busy while its
// request runs (screen readers wait; the CSS dims it), whatever feature it belongs to.
// Background polling (hx-trigger "every ...") stays quiet. Pages work without this file.
(function () {
  function target(event) {
    var detail = event.detail || {};
    var source = detail.elt;
    if (source && /\bevery\b/.test(source.getAttribute("hx-trigger") || "")) return null;
    return detail.target || null;
  }
  document.addEventListener("htmx:beforeRequest", function (event) {
    var region = target(event);
    if (region) region.setAttribute("aria-busy", "true");
  });
  document.addEventListener("htmx:afterRequest", function (event) {
    var region = target(event);
    if (region) region.removeAttribute("aria-busy");
  });
})();
