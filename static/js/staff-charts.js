// Draws a chart above each metrics table marked data-chart, from the table's own cells, so
// the table stays the accessible (and no-JavaScript) version of the same figures.
(function () {
  if (!window.Chart) return;
  var COLOURS = ["#1f6feb", "#d97706", "#16a34a", "#dc2626", "#7c3aed", "#0891b2", "#be185d"];
  function number(text) {
    var value = parseFloat(String(text).replace(/[^0-9.\-]/g, ""));
    return isNaN(value) ? null : value;
  }
  document.querySelectorAll("table[data-chart]").forEach(function (table) {
    var box = document.querySelector('[data-chart-for="' + table.id + '"]');
    if (!box) return;
    var headers = Array.prototype.map.call(table.tHead.rows[0].cells, function (cell) {
      return cell.textContent.trim();
    });
    var rows = Array.prototype.slice.call(table.tBodies[0].rows);
    var wanted = (table.dataset.series || "").split(",").filter(Boolean).map(Number);
    if (!wanted.length) wanted = headers.map(function (_, i) { return i; }).slice(1);
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", "Chart of the table below: " + headers.join(", "));
    box.appendChild(canvas);
    box.hidden = false;
    new window.Chart(canvas, {
      type: table.dataset.chart,
      data: {
        labels: rows.map(function (row) { return row.cells[0].textContent.trim(); }),
        datasets: wanted.map(function (column, i) {
          return {
            label: headers[column],
            data: rows.map(function (row) { return number(row.cells[column].textContent); }),
            backgroundColor: COLOURS[i % COLOURS.length],
            borderColor: COLOURS[i % COLOURS.length],
            pointRadius: 0
          };
        })
      },
      options: { responsive: true, maintainAspectRatio: false, animation: false,
                 scales: { y: { beginAtZero: true } } }
    });
  });
})();
