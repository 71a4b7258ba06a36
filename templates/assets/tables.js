/* salesperf tables: sorting (mouse and keyboard, aria-sort), a filter box and selects on entity
   indexes, pagination with "show all", and, at scale, every row loaded from a fragment file beside
   the data. Sorting reads each cell's data-value (the raw number), never its formatted text.
   Loads nothing from another host. */
(function () {
  "use strict";

  var PAGE = 50;
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });
  var grouping = new Intl.NumberFormat();

  /* Fragment files of long indexes, fetched once per address: the first page's fetch starts as soon
     as this script runs, before Material has finished setting the page up. */
  var fragments = {};
  function fragment(src) {
    var url = new URL(src, window.location.href).href;
    if (!fragments[url]) {
      fragments[url] = window.fetch(url).then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.json();
      }).then(function (rows) { return rows.join("\n"); });
    }
    return fragments[url];
  }
  if (typeof window.fetch === "function") {
    document.querySelectorAll("div.sp-table[data-rows-src]").forEach(function (root) {
      fragment(root.getAttribute("data-rows-src")).catch(function () { /* reported by the table */ });
    });
  }

  /* Lowercase without accents: "chloe" finds Chloé. */
  function folded(text) {
    return text.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase();
  }

  function rowModel(tr) {
    return { tr: tr, text: null, keys: {} };
  }

  function rowText(row) {
    if (row.text === null) {
      row.text = folded((row.tr.textContent || "") + " " + (row.tr.getAttribute("data-terms") || ""));
    }
    return row.text;
  }

  function cellText(row, index) {
    var cell = row.tr.cells[index];
    return cell ? (cell.textContent || "").trim() : "";
  }

  /* The sort key of a row's cell: a number (data-value) for number columns, text otherwise; null
     when empty, so empty cells go last in either direction. */
  function sortKey(row, index, numeric) {
    if (index in row.keys) return row.keys[index];
    var key = null;
    var cell = row.tr.cells[index];
    if (cell) {
      if (numeric) {
        var raw = cell.getAttribute("data-value");
        key = raw === null || raw === "" ? null : Number(raw);
        if (key !== null && isNaN(key)) key = null;
      } else {
        var text = (cell.textContent || "").trim();
        key = text === "" || text === "\u2014" ? null : text;
      }
    }
    row.keys[index] = key;
    return key;
  }

  function Table(root) {
    this.root = root;
    this.table = root.querySelector("table");
    this.body = this.table.tBodies[0];
    this.heads = Array.prototype.slice.call(this.table.tHead ? this.table.tHead.rows[0].cells : []);
    this.rows = Array.prototype.map.call(this.body.rows, rowModel);
    this.total = Number(root.getAttribute("data-total")) || this.rows.length;
    this.query = "";
    this.facets = [];          // {index, select}
    this.page = 0;
    this.showAll = false;
    this.sort = null;          // {index, ascending}
    this.noun = root.getAttribute("data-noun") || "rows";
    var sorted = this.heads.findIndex(function (th) { return th.hasAttribute("aria-sort"); });
    if (sorted >= 0) {
      this.sort = { index: sorted, ascending: this.heads[sorted].getAttribute("aria-sort") === "ascending" };
    }
    this.ready = this.loadRows();
    if (root.classList.contains("sp-sortable")) this.sortButtons();
    if (root.classList.contains("sp-index")) this.toolbar();
    this.paginates = this.total > PAGE;
    if (this.paginates) this.pager();
    this.render();
  }

  /* Every row, when the page carries only the first page of a long index (data-rows-src). */
  Table.prototype.loadRows = function () {
    var self = this;
    var src = this.root.getAttribute("data-rows-src");
    if (!src || typeof window.fetch !== "function") return Promise.resolve();
    this.root.setAttribute("aria-busy", "true");
    return fragment(src).then(function (html) {
      var template = document.createElement("template");
      template.innerHTML = "<table><tbody>" + html + "</tbody></table>";
      self.rows = Array.prototype.map.call(template.content.querySelectorAll("tbody > tr"), rowModel);
      self.total = self.rows.length;
      self.root.removeAttribute("aria-busy");
      self.root.setAttribute("data-loaded", "1");
      self.fillFacets();
      if (self.sort) self.applySort();
      self.render();
    }).catch(function (error) {
      self.root.removeAttribute("aria-busy");
      self.status("Only the first rows could be shown (" + error.message + "); every row is in the CSV.");
    });
  };

  Table.prototype.sortButtons = function () {
    var self = this;
    this.heads.forEach(function (th, index) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "sp-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.title = "Sort by this column";
      button.addEventListener("click", function () {
        var numeric = th.getAttribute("data-type") === "number";
        var ascending;
        if (self.sort && self.sort.index === index) ascending = !self.sort.ascending;
        else ascending = !numeric;   // numbers: highest first; text: A to Z
        self.sort = { index: index, ascending: ascending };
        self.heads.forEach(function (h) { h.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
        self.ready.then(function () {
          self.applySort();
          self.page = 0;
          self.render();
        });
      });
    });
  };

  Table.prototype.applySort = function () {
    var index = this.sort.index, ascending = this.sort.ascending;
    var numeric = this.heads[index] && this.heads[index].getAttribute("data-type") === "number";
    var order = this.rows.map(function (row, position) {
      return { row: row, key: sortKey(row, index, numeric), position: position };
    });
    order.sort(function (a, b) {
      if (a.key === null || b.key === null) {
        if (a.key === null && b.key === null) return a.position - b.position;
        return a.key === null ? 1 : -1;   // empty last, whatever the direction
      }
      var result = numeric ? a.key - b.key : collator.compare(a.key, b.key);
      if (result === 0) return a.position - b.position;
      return ascending ? result : -result;
    });
    this.rows = order.map(function (item) { return item.row; });
  };

  Table.prototype.toolbar = function () {
    var self = this;
    var bar = document.createElement("div");
    bar.className = "sp-toolbar";
    var filter = document.createElement("input");
    filter.type = "search";
    filter.className = "sp-filter md-input";
    filter.placeholder = "Filter " + this.noun + "\u2026";
    filter.setAttribute("aria-label", "Filter " + this.noun);
    filter.addEventListener("input", function () {
      self.query = folded(filter.value.trim());
      self.ready.then(function () { self.page = 0; self.render(); });
    });
    bar.appendChild(filter);
    this.heads.forEach(function (th, index) {
      if (!th.hasAttribute("data-facet")) return;
      var select = document.createElement("select");
      select.className = "sp-facet";
      var label = (th.textContent || "").trim();
      select.setAttribute("aria-label", label);
      select.setAttribute("data-field", th.getAttribute("data-field") || "");
      select.addEventListener("change", function () {
        self.ready.then(function () { self.page = 0; self.render(); });
      });
      self.facets.push({ index: index, select: select, label: label });
      bar.appendChild(select);
    });
    this.statusLine = document.createElement("span");
    this.statusLine.className = "sp-count";
    this.statusLine.setAttribute("aria-live", "polite");
    bar.appendChild(this.statusLine);
    this.root.insertBefore(bar, this.root.firstChild);
    this.fillFacets();
  };

  Table.prototype.fillFacets = function () {
    var self = this;
    this.facets.forEach(function (facet) {
      var chosen = facet.select.value;
      var seen = {};
      self.rows.forEach(function (row) {
        var value = cellText(row, facet.index);
        if (value !== "" && value !== "\u2014") seen[value] = true;
      });
      var values = Object.keys(seen).sort(collator.compare);
      facet.select.textContent = "";
      var any = document.createElement("option");
      any.value = "";
      any.textContent = "Any " + facet.label.toLowerCase();
      facet.select.appendChild(any);
      values.forEach(function (value) {
        var option = document.createElement("option");
        option.value = value;
        option.textContent = value;
        facet.select.appendChild(option);
      });
      facet.select.value = seen[chosen] ? chosen : "";
    });
  };

  Table.prototype.matching = function () {
    var query = this.query;
    var chosen = this.facets.filter(function (f) { return f.select.value !== ""; });
    if (!query && !chosen.length) return this.rows;
    return this.rows.filter(function (row) {
      if (query && rowText(row).indexOf(query) < 0) return false;
      return chosen.every(function (f) { return cellText(row, f.index) === f.select.value; });
    });
  };

  Table.prototype.pager = function () {
    var self = this;
    var nav = document.createElement("nav");
    nav.className = "sp-pager";
    nav.setAttribute("aria-label", "Table pages");
    function button(text, action) {
      var b = document.createElement("button");
      b.type = "button";
      b.className = "md-button";
      b.textContent = text;
      b.addEventListener("click", function () { self.ready.then(function () { action(); self.render(); }); });
      nav.appendChild(b);
      return b;
    }
    this.prev = button("\u2039 Previous", function () { self.page = Math.max(0, self.page - 1); });
    this.pageLabel = document.createElement("span");
    this.pageLabel.className = "sp-page";
    nav.appendChild(this.pageLabel);
    this.next = button("Next \u203a", function () { self.page += 1; });
    this.all = button("Show all", function () { self.showAll = !self.showAll; self.page = 0; });
    this.root.appendChild(nav);
  };

  Table.prototype.status = function (text) {
    if (this.statusLine) this.statusLine.textContent = text;
  };

  Table.prototype.render = function () {
    var shown = this.matching();
    var count = shown.length;
    var pages = Math.max(1, Math.ceil(count / PAGE));
    if (this.page >= pages) this.page = pages - 1;
    var start = 0, end = count;
    if (this.paginates && !this.showAll) {
      start = this.page * PAGE;
      end = Math.min(count, start + PAGE);
    }
    var fragment = document.createDocumentFragment();
    for (var i = start; i < end; i++) fragment.appendChild(shown[i].tr);
    this.body.textContent = "";
    this.body.appendChild(fragment);
    var loading = this.root.getAttribute("aria-busy") === "true";
    var of = loading ? this.total : this.rows.length;
    var range = count ? (start + 1) + "\u2013" + end : "0";
    this.status((count === of ? "" : grouping.format(count) + " of ") + grouping.format(of) + " " + this.noun +
      (this.paginates && count > 0 ? " \u00b7 showing " + range : "") + (loading ? " \u00b7 loading all rows\u2026" : ""));
    this.root.setAttribute("data-shown", String(count));
    if (this.paginates) {
      this.prev.disabled = this.showAll || this.page === 0;
      this.next.disabled = this.showAll || this.page >= pages - 1;
      this.all.textContent = this.showAll ? "Show pages" : "Show all " + grouping.format(count);
      this.all.setAttribute("aria-pressed", this.showAll ? "true" : "false");
      this.pageLabel.textContent = this.showAll ? "" : "Page " + (this.page + 1) + " of " + pages;
    }
  };

  function init() {
    document.querySelectorAll("div.sp-table").forEach(function (root) {
      if (root.getAttribute("data-table-ready") || !root.querySelector("table tbody")) return;
      root.setAttribute("data-table-ready", "1");
      root.spTable = new Table(root);
    });
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init);
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
