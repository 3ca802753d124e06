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
  // A request that never got an answer (offline, server down) says so where errors go;
  // answers with an error status are swapped there by the server (portal/errors.py).
  document.addEventListener("htmx:sendError", function () {
    var region = document.getElementById("flash-region");
    if (!region) return;
    region.innerHTML = "";
    var note = document.createElement("div");
    note.className = "error-message";
    note.setAttribute("role", "alert");
    note.textContent = "We could not reach the portal. Check your connection and try again.";
    region.appendChild(note);
    region.scrollIntoView({block: "start"});
  });
})();
