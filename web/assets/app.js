// veille: clicking a table row scrolls the page text to the row's evidence
// and flashes it. Without this script the row's link still jumps to the
// evidence's #anchor.
(function () {
  "use strict";
  function activate(key) {
    var marks = document.querySelectorAll("mark.ev");
    var first = null;
    for (var i = 0; i < marks.length; i++) {
      var m = marks[i];
      var keys = (m.getAttribute("data-ev") || "").split(" ");
      var on = keys.indexOf(key) >= 0;
      m.classList.toggle("active", on);
      m.classList.remove("flash");
      if (on) {
        void m.offsetWidth; // restart the animation
        m.classList.add("flash");
        if (!first) first = m;
      }
    }
    var rows = document.querySelectorAll("tr[data-ev]");
    for (var j = 0; j < rows.length; j++) {
      rows[j].classList.toggle("active", rows[j].getAttribute("data-ev") === key);
    }
    if (first) first.scrollIntoView({ block: "center", behavior: "smooth" });
    return first;
  }
  document.addEventListener("click", function (e) {
    var t = e.target;
    if (!(t instanceof Element)) return;
    var row = t.closest("tr[data-ev]");
    if (!row) return;
    var link = t.closest("a");
    if (link && !link.classList.contains("ev-link")) return; // other links work as usual
    if (activate(row.getAttribute("data-ev"))) {
      e.preventDefault();
      if (history.replaceState) history.replaceState(null, "", "#ev-" + row.getAttribute("data-ev"));
    }
  });
  document.addEventListener("DOMContentLoaded", function () {
    // On a phone, fold the facets that have no value selected, so the
    // results come first.
    if (window.matchMedia && window.matchMedia("(max-width: 900px)").matches) {
      var facets = document.querySelectorAll(".facets details");
      for (var k = 0; k < facets.length; k++) {
        if (!facets[k].querySelector("a[aria-current]")) facets[k].removeAttribute("open");
      }
    }
    var h = location.hash;
    if (h.indexOf("#ev-") === 0) activate(h.slice(4));
  });
})();
