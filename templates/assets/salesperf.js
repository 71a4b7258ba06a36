/* salesperf: draws the charts embedded in each page and makes tables sortable. Loads nothing remote. */
(function () {
  "use strict";

  function drawCharts() {
    var dark = document.body && document.body.getAttribute("data-md-color-scheme") === "slate";
    document.querySelectorAll("div.sp-chart[data-spec]").forEach(function (div) {
      if (div.getAttribute("data-drawn")) return;
      var node = document.getElementById(div.getAttribute("data-spec"));
      if (!node || typeof window.vegaEmbed !== "function") return;
      div.setAttribute("data-drawn", "1");
      var spec = JSON.parse(node.textContent);
      var options = { actions: false, renderer: "svg" };
      if (dark) options.theme = "dark";
      window.vegaEmbed(div, spec, options).catch(function (error) {
        div.textContent = "This chart could not be drawn: " + error;
      });
    });
  }

  function cellValue(cell) {
    var text = (cell.textContent || "").trim();
    var number = text.replace(/[,\s%\u00a0]/g, "").replace(/^\u2014$/, "");
    if (number !== "" && !isNaN(Number(number))) return { n: Number(number), t: text };
    return { n: null, t: text.toLowerCase() };
  }

  function sortTable(table, column, th) {
    var body = table.tBodies[0];
    if (!body) return;
    var ascending = th.getAttribute("aria-sort") !== "ascending";
    table.querySelectorAll("th").forEach(function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
    var rows = Array.prototype.slice.call(body.rows);
    rows.sort(function (a, b) {
      var x = cellValue(a.cells[column]), y = cellValue(b.cells[column]);
      var result;
      if (x.n !== null && y.n !== null) result = x.n - y.n;
      else if (x.n !== null) result = -1;
      else if (y.n !== null) result = 1;
      else result = x.t < y.t ? -1 : x.t > y.t ? 1 : 0;
      return ascending ? result : -result;
    });
    rows.forEach(function (row) { body.appendChild(row); });
  }

  function sortableTables() {
    document.querySelectorAll(".sp-sortable table").forEach(function (table) {
      if (table.getAttribute("data-sortable")) return;
      table.setAttribute("data-sortable", "1");
      var head = table.tHead;
      if (!head) return;
      Array.prototype.forEach.call(head.rows[0].cells, function (th, index) {
        th.style.cursor = "pointer";
        th.title = "Sort";
        th.addEventListener("click", function () { sortTable(table, index, th); });
      });
    });
  }

  function init() {
    drawCharts();
    sortableTables();
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
