/* salesperf: draws the charts embedded in each page (tables.js sorts and filters the tables). Loads nothing remote. */
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

  function init() {
    drawCharts();
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
