/* salesperf: draws the charts embedded in each page (again when the palette toggles); tables.js sorts
   and filters the tables. Loads nothing remote. */
(function () {
  "use strict";

  /* Charts are drawn with the theme of the palette in use (Material's "slate" scheme: dark) and drawn
     again whenever the palette changes; the colours of reference marks come from the theme's named
     styles (assets/chart-themes.js, written by the build), never from the spec. */
  function colourScheme() {
    return document.body && document.body.getAttribute("data-md-color-scheme") === "slate" ? "dark" : "light";
  }

  function chartConfig(scheme) {
    var themes = window.salesperfChartThemes || {};
    var config = JSON.parse(JSON.stringify(themes[scheme] || {}));
    var background = getComputedStyle(document.body).backgroundColor;
    if (background && background !== "rgba(0, 0, 0, 0)" && background !== "transparent") {
      config.background = background;
      /* The halo under a rule's label is the page's own background, so the label reads over bars. */
      var halo = config.style && config.style["sp-label-halo"];
      if (halo) { halo.fill = background; halo.stroke = background; }
    }
    return config;
  }

  function drawChart(div, scheme) {
    var node = document.getElementById(div.getAttribute("data-spec"));
    if (!node || typeof window.vegaEmbed !== "function") return;
    if (div.salesperfView) {
      div.salesperfView.finalize();
      div.salesperfView = null;
    }
    div.setAttribute("data-drawn", "1");
    div.setAttribute("data-scheme", scheme);
    div.setAttribute("data-draws", String(Number(div.getAttribute("data-draws") || 0) + 1));
    var options = { actions: false, renderer: "svg", config: chartConfig(scheme), tooltip: { theme: scheme } };
    if (scheme === "dark") options.theme = "dark";
    var draw = div.getAttribute("data-draws");
    window.vegaEmbed(div, JSON.parse(node.textContent), options).then(function (result) {
      // A palette toggled again while this one was drawing: the newer drawing wins.
      if (div.getAttribute("data-draws") !== draw) result.finalize();
      else div.salesperfView = result;
    }).catch(function (error) {
      div.textContent = "This chart could not be drawn: " + error;
    });
  }

  function drawCharts() {
    var scheme = colourScheme();
    document.querySelectorAll("div.sp-chart[data-spec]").forEach(function (div) {
      if (div.getAttribute("data-scheme") !== scheme) drawChart(div, scheme);
    });
  }

  var watchingScheme = false;
  function redrawOnPaletteChange() {
    if (watchingScheme || typeof MutationObserver !== "function" || !document.body) return;
    watchingScheme = true;
    new MutationObserver(drawCharts).observe(document.body, { attributes: true, attributeFilter: ["data-md-color-scheme"] });
  }

  function init() {
    redrawOnPaletteChange();
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
