/* cartel-data site: search over the index file, and sortable, filterable tables.
   Everything but search works without this script. */
(function () {
  "use strict";

  /* The same folding as cartel_data.search.fold: accents off, lower case, punctuation to spaces. */
  function fold(text) {
    return text.normalize("NFKD").replace(/\p{M}/gu, "").toLowerCase().replace(/[^0-9a-z]+/g, " ").trim();
  }

  var ARTICLES = { el: 1, la: 1, los: 1, las: 1 };
  function core(text) { return text.split(" ").filter(function (w) { return !ARTICLES[w]; }).join(" "); }

  function score(q, target) {
    if (!q || !target) return 0;
    if (q === target) return 1;
    if (core(q) && core(q) === core(target)) return 0.98;
    var qw = q.split(" "), tw = target.split(" ");
    var all = qw.every(function (w) { return tw.some(function (t) { return t.indexOf(w) === 0; }); });
    if (all) return 0.9 - 0.01 * (tw.length - qw.length);
    if (q.replace(/ /g, "") === target.replace(/ /g, "")) return 0.95;
    if (target.indexOf(q) >= 0) return 0.8;
    return 0;
  }

  function search(query) {
    var q = fold(query), best = {};
    (window.CARTEL_INDEX || []).forEach(function (e) {
      var s = score(q, e[0]);
      if (e[5] === "alias" && s < 1) s -= 0.1;
      if (s >= 0.55 && (!best[e[4]] || s > best[e[4]].s)) best[e[4]] = { s: s, e: e };
    });
    return Object.keys(best).map(function (k) { return best[k]; })
      .sort(function (a, b) { return b.s - a.s || a.e[2].localeCompare(b.e[2]); }).slice(0, 50);
  }

  function runSearch() {
    var list = document.getElementById("search-results");
    if (!list) return;
    var input = document.getElementById("search-q");
    var params = new URLSearchParams(window.location.search);
    var q = params.get("q") || "";
    input.value = q;
    var status = document.getElementById("search-status");
    list.textContent = "";
    if (!q.trim()) { status.textContent = ""; return; }
    var hits = search(q);
    status.textContent = hits.length ? hits.length + " match" + (hits.length > 1 ? "es" : "") + " for “" + q + "”" : "No match for “" + q + "”";
    hits.forEach(function (h) {
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = h.e[4];
      a.textContent = h.e[2];
      li.appendChild(a);
      var kind = document.createElement("span");
      kind.className = "muted";
      kind.textContent = " (" + h.e[3] + (h.e[1] !== h.e[2] ? ", matched “" + h.e[1] + "”" : "") + ")";
      li.appendChild(kind);
      list.appendChild(li);
    });
  }

  function sortable(table) {
    var heads = table.tHead ? table.tHead.rows[0].cells : [];
    Array.prototype.forEach.call(heads, function (th, col) {
      th.setAttribute("aria-sort", "none");
      th.tabIndex = 0;
      function sort() {
        var asc = th.getAttribute("aria-sort") !== "ascending";
        Array.prototype.forEach.call(heads, function (h) { h.setAttribute("aria-sort", "none"); });
        th.setAttribute("aria-sort", asc ? "ascending" : "descending");
        var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (a, b) {
          var x = a.cells[col].textContent.trim(), y = b.cells[col].textContent.trim();
          var nx = parseFloat(x), ny = parseFloat(y);
          var c = (!isNaN(nx) && !isNaN(ny) && /^[0-9.]+$/.test(x) && /^[0-9.]+$/.test(y)) ? nx - ny : x.localeCompare(y);
          return asc ? c : -c;
        });
        rows.forEach(function (r) { body.appendChild(r); });
      }
      th.addEventListener("click", sort);
      th.addEventListener("keydown", function (ev) { if (ev.key === "Enter") sort(); });
    });
  }

  function filterable(input) {
    var table = document.getElementById(input.getAttribute("data-filter-for"));
    if (!table) return;
    input.addEventListener("input", function () {
      var q = fold(input.value);
      Array.prototype.forEach.call(table.tBodies[0].rows, function (r) {
        r.hidden = q && fold(r.textContent).indexOf(q) < 0;
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    Array.prototype.forEach.call(document.querySelectorAll("table[data-sortable]"), sortable);
    Array.prototype.forEach.call(document.querySelectorAll("input[data-filter-for]"), filterable);
    runSearch();
  });
})();
