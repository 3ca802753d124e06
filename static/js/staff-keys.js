// Keyboard shortcuts of the staff console (the pages work without this file).
// Queue: j/k move to the next/previous request, x ticks it for a bulk change, Enter opens it.
// One request: j/k open the next/previous request of the same queue view.
(function () {
  function typing(event) {
    var tag = (event.target.tagName || "").toLowerCase();
    return event.altKey || event.ctrlKey || event.metaKey || event.target.isContentEditable ||
      tag === "input" || tag === "textarea" || tag === "select";
  }
  function rows() {
    return Array.prototype.slice.call(document.querySelectorAll(".queue-row"));
  }
  function move(step) {
    var all = rows();
    if (!all.length) return false;
    var index = all.indexOf(document.activeElement && document.activeElement.closest(".queue-row"));
    var next = all[Math.min(Math.max(index + step, 0), all.length - 1)];
    next.querySelector(".queue-link").focus();
    return true;
  }
  function follow(rel) {
    var link = document.querySelector('.queue-neighbours a[rel="' + rel + '"]');
    if (link) window.location.assign(link.href);
  }
  document.addEventListener("keydown", function (event) {
    if (typing(event)) return;
    if (event.key === "j" && !move(1)) follow("next");
    else if (event.key === "k" && !move(-1)) follow("prev");
    else if (event.key === "x") {
      var row = document.activeElement && document.activeElement.closest(".queue-row");
      var box = row && row.querySelector('input[type="checkbox"]');
      if (box) box.checked = !box.checked;
    }
  });
})();
