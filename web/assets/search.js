// veille static site: filters the prebuilt search index (search-index.js,
// the same data as search.json) in the browser. No network, no CDN.
(function () {
  "use strict";
  var form = document.getElementById("site-search");
  if (!form) return;
  var input = form.querySelector("input[name=q]");
  var out = document.getElementById("search-results");
  var loaded = false;
  function load(then) {
    if (loaded) return then();
    var s = document.createElement("script");
    s.src = form.getAttribute("data-index");
    s.onload = function () { loaded = true; then(); };
    document.head.appendChild(s);
  }
  function words(q) {
    return q.toLowerCase().split(/\s+/).filter(function (w) { return w.length > 0; });
  }
  function matches(c, ws) {
    var hay = (c.title + " " + c.keywords.join(" ") + " " + c.themes.join(" ") + " " + c.summary + " " + c.url).toLowerCase();
    for (var i = 0; i < ws.length; i++) if (hay.indexOf(ws[i]) < 0) return false;
    return true;
  }
  function show() {
    var ws = words(input.value);
    while (out.firstChild) out.removeChild(out.firstChild);
    out.hidden = ws.length === 0;
    if (!ws.length) return;
    var index = window.veilleSearchIndex || [];
    var n = 0;
    for (var i = 0; i < index.length && n < 50; i++) {
      var c = index[i];
      if (!matches(c, ws)) continue;
      n++;
      var li = document.createElement("li");
      li.className = "card-item";
      var a = document.createElement("a");
      a.className = "card-title";
      a.href = c.page;
      a.textContent = c.title || c.id;
      var p = document.createElement("p");
      p.className = "snippet";
      p.textContent = c.summary;
      li.appendChild(a);
      li.appendChild(p);
      out.appendChild(li);
    }
    if (!n) {
      var none = document.createElement("li");
      none.className = "empty";
      none.textContent = "No cards match.";
      out.appendChild(none);
    }
  }
  form.addEventListener("submit", function (e) { e.preventDefault(); load(show); });
  input.addEventListener("input", function () { load(show); });
  var q = new URLSearchParams(location.search).get("q");
  if (q) { input.value = q; load(show); }
})();
