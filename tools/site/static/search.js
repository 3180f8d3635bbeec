// clipq_edu course site: client-side search. The index (_static/search-index.js) is written at
// build time and loaded on first use with a <script> tag, so it also works from file://.
(function () {
  "use strict";
  var MAX_HITS = 20;
  var index = null;
  var waiting = [];

  function normalize(text) {
    return text.toLowerCase().normalize("NFKC").replace(/[-_‐-―]+/g, " ").replace(/\s+/g, " ").trim();
  }

  function loadIndex(input, callback) {
    if (index) { callback(index); return; }
    waiting.push(callback);
    if (waiting.length > 1) return;
    var script = document.createElement("script");
    script.src = input.getAttribute("data-index");
    script.onload = function () {
      index = (window.CLIPQ_SEARCH_INDEX || []).map(function (entry) {
        entry.norm = normalize(entry.title + " " + entry.text);
        entry.normTitle = normalize(entry.page_title + " " + entry.title);
        return entry;
      });
      waiting.splice(0).forEach(function (fn) { fn(index); });
    };
    document.head.appendChild(script);
  }

  function count(haystack, needle) {
    var n = 0, at = haystack.indexOf(needle);
    while (at !== -1) { n += 1; at = haystack.indexOf(needle, at + needle.length); }
    return n;
  }

  // Every word of the query must occur in a section; the exact phrase and matches in titles
  // count extra. Pages are ranked by the summed score of their sections, and each page shows
  // its best two sections, so the chapters that discuss a topic most come first.
  function search(entries, query) {
    var phrase = normalize(query);
    var terms = phrase.split(" ").filter(function (t) { return t.length > 0; });
    if (!terms.length) return [];
    var pages = {};
    entries.forEach(function (entry) {
      var score = 0;
      for (var i = 0; i < terms.length; i += 1) {
        var n = count(entry.norm, terms[i]);
        if (!n) return;
        score += Math.min(n, 3);
      }
      score += 10 * count(entry.norm, phrase) + 15 * count(entry.normTitle, phrase);
      var page = entry.url.split("#")[0];
      if (!pages[page]) pages[page] = { score: 0, hits: [] };
      pages[page].score += score;
      pages[page].hits.push({ entry: entry, score: score });
    });
    var ranked = Object.keys(pages).map(function (k) { return pages[k]; });
    ranked.sort(function (a, b) { return b.score - a.score; });
    var out = [];
    ranked.forEach(function (page) {
      page.hits.sort(function (a, b) { return b.score - a.score; });
      out.push.apply(out, page.hits.slice(0, 2));
    });
    return out.slice(0, MAX_HITS);
  }

  function snippet(text, terms) {
    var lower = text.toLowerCase();
    var at = -1;
    for (var i = 0; i < terms.length && at === -1; i += 1) at = lower.indexOf(terms[i]);
    var start = Math.max(0, at - 60);
    var piece = (start > 0 ? "…" : "") + text.slice(start, start + 180) + (text.length > start + 180 ? "…" : "");
    return piece;
  }

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function highlight(node, text, terms) {
    var lower = text.toLowerCase(), pos = 0;
    while (pos < text.length) {
      var best = -1, len = 0;
      terms.forEach(function (t) {
        var at = lower.indexOf(t, pos);
        if (at !== -1 && (best === -1 || at < best)) { best = at; len = t.length; }
      });
      if (best === -1) { node.appendChild(document.createTextNode(text.slice(pos))); break; }
      node.appendChild(document.createTextNode(text.slice(pos, best)));
      node.appendChild(el("mark", "", text.slice(best, best + len)));
      pos = best + len;
    }
  }

  function render(container, hits, query) {
    container.textContent = "";
    if (!hits.length) {
      container.appendChild(el("p", "search-empty", "No section mentions “" + query + "”."));
      return;
    }
    var terms = normalize(query).split(" ");
    var list = el("ol");
    hits.forEach(function (hit) {
      var e = hit.entry;
      var item = el("li", "search-hit");
      item.setAttribute("data-page", e.url.split("#")[0]);
      var link = el("a");
      link.href = e.url;
      var where = el("span", "where", e.page_title + (e.title && e.title !== e.page_title ? " › " + e.title : ""));
      link.appendChild(where);
      var snip = el("span", "snippet");
      highlight(snip, snippet(e.text, terms), terms);
      link.appendChild(snip);
      item.appendChild(link);
      list.appendChild(item);
    });
    container.appendChild(list);
  }

  function setup() {
    var input = document.getElementById("search-input");
    var box = document.getElementById("search-results");
    if (!input || !box) return;
    var pageResults = document.getElementById("search-page-results");
    var target = pageResults || box;
    var form = input.form;
    function run() {
      var query = input.value.trim();
      if (!query) { box.hidden = true; if (pageResults) pageResults.textContent = ""; return; }
      loadIndex(input, function (entries) {
        if (input.value.trim() !== query) return;
        render(target, search(entries, query), query);
        if (target === box) box.hidden = false;
      });
    }
    input.addEventListener("input", run);
    input.addEventListener("focus", function () { loadIndex(input, function () {}); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Escape") { box.hidden = true; input.blur(); }
      if (event.key === "ArrowDown") {
        var first = target.querySelector("a");
        if (first) { event.preventDefault(); first.focus(); }
      }
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var first = target.querySelector(".search-hit a");
      if (first) window.location.href = first.href; else run();
    });
    document.addEventListener("click", function (event) {
      if (!form.contains(event.target)) box.hidden = true;
    });
    if (pageResults) {
      var q = new URLSearchParams(window.location.search).get("q");
      if (q) { input.value = q; run(); }
    }
  }

  window.clipqSearch = { search: search, normalize: normalize };
  if (document.readyState !== "loading") setup(); else document.addEventListener("DOMContentLoaded", setup);
})();
