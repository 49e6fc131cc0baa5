// newsledger explorer: show the record behind a mark when it is focused, clicked or hovered.
// Records come from the page's JSON data block; every value is set as text (never as HTML).
(function () {
  "use strict";
  var data = document.getElementById("records");
  var panel = document.getElementById("record-body");
  if (!data || !panel) { return; }
  var records = {};
  try { records = JSON.parse(data.textContent || "{}"); } catch (e) { return; }
  var active = null;

  function el(tag, text) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = String(text); }
    return node;
  }

  function show(mark) {
    var key = mark.getAttribute("data-rec");
    var rec = records[key];
    if (!rec) { return; }
    if (active) { active.classList.remove("active"); }
    active = mark;
    mark.classList.add("active");
    panel.replaceChildren();
    var h = el("h3", rec.title);
    panel.appendChild(h);
    var dl = el("dl");
    (rec.fields || []).forEach(function (kv) {
      dl.appendChild(el("dt", kv[0]));
      dl.appendChild(el("dd", kv[1]));
    });
    panel.appendChild(dl);
    var links = (rec.links || []).filter(function (l) { return /^[#\/][^\/]/.test(l[1]); });
    if (links.length) {
      var ul = el("ul");
      links.forEach(function (l) {
        var a = el("a", l[0]);
        a.setAttribute("href", l[1]);
        var li = el("li");
        li.appendChild(a);
        ul.appendChild(li);
      });
      panel.appendChild(ul);
    }
    panel.setAttribute("data-key", key);
  }

  function target(ev) {
    var t = ev.target;
    return t && t.closest ? t.closest("[data-rec]") : null;
  }
  document.addEventListener("focusin", function (ev) { var m = target(ev); if (m) { show(m); } });
  document.addEventListener("click", function (ev) { var m = target(ev); if (m) { show(m); } });
  document.addEventListener("mouseover", function (ev) { var m = target(ev); if (m) { show(m); } });
  document.addEventListener("keydown", function (ev) {
    if ((ev.key === "Enter" || ev.key === " ") && target(ev)) { ev.preventDefault(); show(target(ev)); }
  });

  function fromHash() {
    // A hash comes from whoever wrote the link: one that does not decode names no mark, so it is
    // ignored (decodeURIComponent throws URIError on "%E0%A4%A" or a lone "%").
    var id;
    try { id = decodeURIComponent((location.hash || "").slice(1)); } catch (e) { return; }
    if (!id) { return; }
    var node = document.getElementById(id);
    if (node && node.hasAttribute("data-rec")) { show(node); node.focus({ preventScroll: true }); }
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
