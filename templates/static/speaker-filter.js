/* speaker-filter.js: "Said by" controls. On the index, show only the matrix rows (claims) one
 * speaker puts forward; in the what-if panel, only the claims they put forward and the figures
 * that move them (static/model.js lists both per speaker). Without JavaScript the matrix is
 * whole and each speaker's name links to their "who said what" page. Plain ES2017, no DOM
 * assumptions beyond the data-speaker-filter containers the templates write.
 */
(function (root) {
  "use strict";

  function option(value, text) {
    var node = document.createElement("option");
    node.value = value;
    node.textContent = text;
    return node;
  }

  /* A labelled <select> of speakers: "everyone" first, then [slug, name] pairs. */
  function control(id, what, pairs, onChange) {
    var label = document.createElement("label");
    label.setAttribute("for", id);
    label.textContent = "Show " + what + " said by ";
    var select = document.createElement("select");
    select.id = id;
    select.appendChild(option("", "everyone"));
    pairs.forEach(function (pair) { select.appendChild(option(pair[0], pair[1])); });
    select.addEventListener("change", function () { onChange(select.value); });
    var status = document.createElement("span");
    status.className = "speaker-filter-status muted";
    status.setAttribute("aria-live", "polite");
    var wrap = document.createElement("span");
    wrap.className = "speaker-filter-control";
    wrap.appendChild(label);
    wrap.appendChild(select);
    wrap.appendChild(document.createTextNode(" "));
    wrap.appendChild(status);
    return { node: wrap, status: status };
  }

  function matrixFilter(box) {
    var links = Array.prototype.slice.call(box.querySelectorAll("[data-speaker]"));
    var pairs = links.map(function (a) { return [a.getAttribute("data-speaker"), a.textContent]; });
    var section = box.parentNode;
    var rows = Array.prototype.slice.call(section.querySelectorAll("tr[data-speakers]"));
    var made = control("speaker-filter-matrix", "the claims", pairs, function (slug) {
      var shown = 0;
      rows.forEach(function (row) {
        var said = row.getAttribute("data-speakers").split(" ");
        var keep = !slug || said.indexOf(slug) >= 0;
        row.hidden = !keep;
        if (keep) shown += 1;
      });
      made.status.textContent = slug ? shown + " of " + rows.length + " claims" +
        (shown ? "" : ": see their page for everything they said") : "";
    });
    box.insertBefore(made.node, box.firstChild);
    box.insertBefore(document.createTextNode(" "), made.node.nextSibling);
  }

  function panelFilter(box) {
    var model = root.CruxModel;
    var speakers = model && model.data && model.data.speakers;
    if (!speakers || !Object.keys(speakers).length) return;
    var panel = box.closest("[data-whatif]");
    var pairs = Object.keys(speakers).map(function (slug) { return [slug, speakers[slug].name]; });
    var made = control("speaker-filter-whatif", "the figures and claims", pairs, function (slug) {
      var said = slug ? speakers[slug] : null;
      var shown = 0;
      panel.querySelectorAll("[data-figure], [data-assume]").forEach(function (field) {
        var fid = field.getAttribute("data-figure");
        var cid = field.getAttribute("data-assume");
        var keep = !said || (fid !== null ? said.figures.indexOf(fid) >= 0 : said.claims.indexOf(cid) >= 0);
        field.hidden = !keep;
        if (keep) shown += 1;
      });
      made.status.textContent = said ? shown + " shown" : "";
    });
    box.appendChild(made.node);
    box.hidden = false;
  }

  function start() {
    document.querySelectorAll("[data-speaker-filter]").forEach(function (box) {
      if (box.getAttribute("data-speaker-filter") === "matrix") matrixFilter(box);
      else panelFilter(box);
    });
  }

  if (typeof document === "undefined") return;
  // After every deferred script (model.js among them), which run before DOMContentLoaded.
  if (document.readyState !== "complete") document.addEventListener("DOMContentLoaded", start);
  else start();
})(typeof globalThis !== "undefined" ? globalThis : this);
