/* salesperf: a rep's exact id typed in the site search (any letter case) offers that rep's page
   above the results, and Enter opens it. The id map (search/ids.json, written by the build) is
   fetched from the site itself the first time the search box is used. Loads nothing remote. */
(function () {
  "use strict";

  var SEARCH_INPUT = "input.md-search__input";
  var ids = null;
  var loading = null;

  function siteBase() {
    var config = document.getElementById("__config");
    try {
      return new URL(JSON.parse(config.textContent).base, window.location.href);
    } catch (error) {
      return new URL(".", window.location.href);
    }
  }

  function load() {
    if (!loading) {
      loading = fetch(new URL("search/ids.json", siteBase()))
        .then(function (response) { return response.ok ? response.json() : {}; })
        .catch(function () { return {}; })
        .then(function (map) { ids = map; });
    }
    return loading;
  }

  /* [id, url, name] of the rep whose id is the query, or null. */
  function exact(query) {
    var wanted = query.trim();
    if (!ids || !wanted) return null;
    var reps = ids[wanted.toLowerCase()];
    if (!reps) return null;
    if (reps.length === 1) return reps[0];
    for (var i = 0; i < reps.length; i++) if (reps[i][0] === wanted) return reps[i];
    return null;
  }

  function offer(input) {
    var results = document.querySelector(".md-search-result");
    if (!results) return;
    var old = results.querySelector(".sp-search-jump");
    var rep = exact(input.value);
    if (!rep) {
      if (old) old.remove();
      return;
    }
    var link = old || document.createElement("a");
    link.className = "sp-search-jump";
    link.href = new URL(rep[1], siteBase()).href;
    link.textContent = "Go to " + rep[2] + " (" + rep[0] + ") \u2014 press Enter";
    if (!old) {
      var meta = results.querySelector(".md-search-result__meta");
      results.insertBefore(link, meta ? meta.nextSibling : results.firstChild);
    }
  }

  document.addEventListener("input", function (event) {
    var input = event.target;
    if (!input.matches || !input.matches(SEARCH_INPUT)) return;
    if (ids) offer(input);
    else load().then(function () { offer(input); });
  }, true);

  document.addEventListener("reset", function () {  /* the search form's clear button */
    var old = document.querySelector(".md-search-result .sp-search-jump");
    if (old) old.remove();
  }, true);

  document.addEventListener("focusin", function (event) {
    if (event.target.matches && event.target.matches(SEARCH_INPUT)) load();
  }, true);

  /* Capture on window: runs before Material's own Enter handling (which opens the first result). */
  window.addEventListener("keydown", function (event) {
    var input = event.target;
    if (event.key !== "Enter" || !input.matches || !input.matches(SEARCH_INPUT)) return;
    var rep = exact(input.value);
    if (!rep) return;
    event.preventDefault();
    event.stopImmediatePropagation();
    window.location.href = new URL(rep[1], siteBase()).href;
  }, true);
})();
