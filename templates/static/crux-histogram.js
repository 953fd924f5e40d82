/* crux-histogram.js: a calculator's histogram, redrawn from the what-if panel's samples.
 *
 * The browser side of engine/site/histogram.py, which draws the same picture at build time:
 * the same layout, bins, quantile rule (numpy.percentile's), rounding and number format
 * (crux-format.js), so a histogram redrawn from the build's own samples is the build's, text
 * for text (tests/test_browser_uncertainty.py feeds both the same samples).
 *
 *   CruxHistogram.svg(calcId, unit, values, thresholds)  -> {svg: text, histogram}
 *     thresholds: [{claim, op, value}]
 *   CruxHistogram.redraw(figureNode, values, engine, result[, asBuilt])  a <figure data-histogram>
 *   CruxHistogram.restoreAll(nodes)                          back to the drawings as built
 *   CruxHistogram.panelSection(chance)  the panel's histograms: one per calculator behind the
 *     page's claims (those that decide a claim first, at most 12), in a <details> of the panel
 *
 * Needs crux-format.js and crux-uncertainty.js (and whatif-uncertainty.js for panelSection).
 * Sets CruxHistogram. Plain ES2017.
 */
(function (root) {
  "use strict";

  var WIDTH = 400;
  var LEFT = 8, RIGHT = 392, PAD = 4, BARS = 96;
  var BINS = 40;
  /* engine.site.svg_layout */
  var FONT = 14, CHAR = 10.0, ROW = 18, GAP = 6;
  var TAIL = 0.005;

  function core() { return root.CruxUncertainty.core; }

  function escapeText(text) {
    return String(text).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;").replace(/'/g, "&#x27;");
  }

  /* engine.site.histogram._px: 0.1 px, half up */
  function px(value) {
    var rounded = Math.floor(value * 10 + 0.5) / 10;
    return String(rounded === 0 ? 0 : rounded);
  }

  function percent(share) {
    return (Math.floor(share * 1000 + 0.5) / 10).toFixed(1) + "%";
  }

  function countHolds(sorted, op, value) {
    var n = 0;
    for (var i = 0; i < sorted.length; i++) {
      var x = sorted[i];
      if (op === ">" ? x > value : op === ">=" ? x >= value : op === "<" ? x < value : x <= value) n++;
    }
    return n;
  }

  /* The defined values of an array sorted with its NaNs last (the worker's result.sorted). */
  function definedOfSorted(sorted) {
    var m = sorted.length;
    while (m > 0 && sorted[m - 1] !== sorted[m - 1]) m--;
    return sorted.subarray(0, m);
  }

  /* engine.site.histogram.histogram; `presorted`: values are sorted already, NaNs last. */
  function histogram(values, thresholds, presorted) {
    var C = core();
    var sorted = presorted ? definedOfSorted(values) : C.definedSorted(values);
    var m = sorted.length;
    var i;
    if (!m) return { defined: 0, undefined: values.length, low: 0, high: 1, counts: [], quantiles: [NaN, NaN, NaN], shares: [] };
    var low = C.quantileSorted(sorted, TAIL);
    var high = C.quantileSorted(sorted, 1 - TAIL);
    if (!(high > low)) {
      var half = low !== 0 ? Math.abs(low) * 0.1 : 1;
      low -= half;
      high += half;
    }
    var width = (high - low) / BINS;
    var counts = [];
    for (i = 0; i < BINS; i++) counts.push(0);
    for (i = 0; i < m; i++) {
      var x = sorted[i];
      if (x < low || x > high) continue;
      counts[Math.min(Math.floor((x - low) / width), BINS - 1)]++;
    }
    var quantiles = [C.quantileSorted(sorted, 0.05), C.quantileSorted(sorted, 0.5), C.quantileSorted(sorted, 0.95)];
    var shares = (thresholds || []).map(function (t) {
      var holds = countHolds(sorted, t.op, t.value) / m;
      return [holds, 1 - holds];
    });
    return { defined: m, undefined: values.length - m, low: low, high: high, counts: counts, quantiles: quantiles, shares: shares };
  }

  /* ---- engine.site.svg_layout ---- */

  var NARROW = ".,:; ", WIDE = "%\u2714\u25c2\u25b8\u2014";
  function textWidth(text) {
    var w = 0;
    String(text).split("").forEach(function (c) { w += NARROW.indexOf(c) >= 0 ? CHAR / 2 : WIDE.indexOf(c) >= 0 ? CHAR * 1.5 : CHAR; });
    return w;
  }

  function nameLines(name, unit, room) {
    var one = unit ? name + " (" + unit + ")" : name;
    if (!unit || textWidth(one) <= room) return [one];
    return [name, "(" + unit + ")"];
  }

  function labelRows(extents) {
    var rows = [];
    return extents.map(function (e) {
      for (var r = 0; r < rows.length; r++) {
        if (rows[r].every(function (t) { return e[1] + GAP <= t[0] || e[0] >= t[1] + GAP; })) {
          rows[r].push(e);
          return r;
        }
      }
      rows.push([e]);
      return rows.length - 1;
    });
  }

  function niceTicks(low, high, count) {
    var raw = (high - low) / count;
    var magnitude = Math.pow(10, Math.floor(Math.log10(raw)));
    var norm = raw / magnitude;
    var step = (norm < 1.5 ? 1 : norm < 3 ? 2 : norm < 7 ? 5 : 10) * magnitude;
    var first = Math.ceil(low / step);
    var out = [];
    for (var i = 0; i < 12; i++) {
      var tick = (first + i) * step;
      if (tick > high + step * 1e-9) break;
      out.push(Math.abs(tick) < step * 1e-9 ? 0 : tick);
    }
    return out;
  }

  function axisTicks(low, high, left, right, width, fmt) {
    var placed = [];
    var counts = [5, 4, 3, 2];
    for (var c = 0; c < counts.length; c++) {
      placed = [];
      niceTicks(low, high, counts[c]).forEach(function (tick) {
        var x = left + ((tick - low) / (high - low)) * (right - left);
        var text = fmt(tick);
        var half = textWidth(text) / 2;
        if (x - half >= 0 && x + half <= width) placed.push([x, text]);
      });
      var apart = true;
      for (var i = 1; i < placed.length; i++) {
        if (placed[i][0] - placed[i - 1][0] < (textWidth(placed[i - 1][1]) + textWidth(placed[i][1])) / 2 + GAP) apart = false;
      }
      if (apart && placed.length >= 2) return placed;
    }
    return placed.slice(0, 1);
  }

  /* engine.site.histogram._threshold_labels */
  function thresholdLabels(thresholds, h, xOf) {
    var F = root.CruxFormat;
    var merged = [];
    var byKey = Object.create(null);
    thresholds.forEach(function (t, index) {
      var key = t.op + " " + t.value;
      if (byKey[key]) { byKey[key].claims.push(t.claim); return; }
      var holds = h.shares[index][0];
      var other = h.shares[index][1];
      var above = t.op === ">" || t.op === ">=";
      var leftText = percent(above ? other : holds);
      var rightText = percent(above ? holds : other);
      if (!above) leftText = "\u2714 " + leftText;
      else rightText = "\u2714 " + rightText;
      var label = { claims: [t.claim], left: leftText, right: rightText, x: null };
      if (!(h.low <= t.value && t.value <= h.high)) {
        var at = F.formatNumber(t.value);
        if (t.value < h.low) { label.edge = "left"; label.text = "\u25c2 " + at + " \u00b7 " + rightText; }
        else { label.edge = "right"; label.text = leftText + " \u00b7 " + at + " \u25b8"; }
      } else {
        label.x = xOf(t.value);
        label.shift = 0;
      }
      byKey[key] = label;
      merged.push(label);
    });
    return merged.map(function (label) {
      if (label.x === null) {
        var width = textWidth(label.text);
        var start = label.edge === "left" ? LEFT : RIGHT - width;
        return [start, start + width, label];
      }
      var left = label.x - 4 - textWidth(label.left);
      var right = label.x + 4 + textWidth(label.right);
      var shift = Math.max(0, -left) - Math.max(0, right - WIDTH);
      label.shift = shift;
      return [left + shift, right + shift, label];
    });
  }

  /* engine.site.histogram._quantile_x: a quantile's label kept inside the chart */
  function quantileX(name, x) {
    var w = textWidth(name);
    if (name === "5%") return Math.max(x, w);
    if (name === "95%") return Math.min(x, WIDTH - w);
    return Math.min(Math.max(x, w / 2), WIDTH - w / 2);
  }

  /* engine.site.histogram.histogram_svg */
  function svg(calcId, unit, values, thresholds, presorted) {
    var F = root.CruxFormat;
    thresholds = thresholds || [];
    var h = histogram(values, thresholds, presorted);
    var unitText = unit === "dimensionless" ? "" : unit;
    var id = escapeText(calcId);
    var head = function (height) {
      return '<svg class="histogram-svg" viewBox="0 0 ' + WIDTH + " " + height + '" role="img" aria-labelledby="hist-' + calcId + '-title">' +
        '<title id="hist-' + calcId + '-title">Distribution of ' + id + "</title>";
    };
    if (!h.defined) {
      return { svg: head(60) + '<text x="' + WIDTH / 2 + '" y="34" text-anchor="middle">Undefined in every sample</text></svg>', histogram: h };
    }
    function xOf(value) { return LEFT + ((value - h.low) / (h.high - h.low)) * (RIGHT - LEFT); }
    var labels = thresholdLabels(thresholds, h, xOf);
    var rows = labelRows(labels.map(function (l) { return [l[0], l[1]]; }));
    var used = rows.length ? Math.max.apply(null, rows) + 1 : 0;
    var quantileRow = PAD + used * ROW;
    var top = quantileRow + 2 * ROW + 4;
    var bottom = top + BARS;
    var names = nameLines(calcId, unitText, WIDTH - 8);
    var height = bottom + (1 + names.length) * ROW + 8;
    var parts = [head(height)];
    var tallest = Math.max.apply(null, h.counts) || 1;
    var bar = (RIGHT - LEFT) / BINS;
    parts.push('<g class="hist-bars">');
    h.counts.forEach(function (count, k) {
      if (!count) return;
      var tall = (count / tallest) * BARS;
      parts.push('<rect x="' + px(LEFT + k * bar) + '" y="' + px(bottom - tall) + '" width="' + px(bar - 1) + '" height="' + px(tall) + '"/>');
    });
    parts.push("</g>");
    parts.push('<g class="hist-axis"><line x1="' + LEFT + '" y1="' + bottom + '" x2="' + RIGHT + '" y2="' + bottom + '"/>');
    axisTicks(h.low, h.high, LEFT, RIGHT, WIDTH, F.formatNumber).forEach(function (tick) {
      var x = px(tick[0]);
      parts.push('<line x1="' + x + '" y1="' + bottom + '" x2="' + x + '" y2="' + (bottom + 4) + '"/>' +
        '<text x="' + x + '" y="' + (bottom + ROW) + '" text-anchor="middle">' + escapeText(tick[1]) + "</text>");
    });
    names.forEach(function (line, k) {
      parts.push('<text class="hist-unit" x="' + Math.floor(WIDTH / 2) + '" y="' + (bottom + (2 + k) * ROW + 2) + '" text-anchor="middle">' + escapeText(line) + "</text>");
    });
    parts.push("</g>");
    parts.push('<g class="hist-quantiles">');
    var marks = [["5%", "end", -3, quantileRow + ROW + FONT], ["50%", "middle", 0, quantileRow + FONT], ["95%", "start", 3, quantileRow + ROW + FONT]];
    marks.forEach(function (mark, i) {
      var x = xOf(h.quantiles[i]);
      parts.push('<line x1="' + px(x) + '" y1="' + (mark[0] === "50%" ? quantileRow + ROW : top) + '" x2="' + px(x) + '" y2="' + bottom + '"/>' +
        '<text x="' + px(quantileX(mark[0], x + mark[2])) + '" y="' + mark[3] + '" text-anchor="' + mark[1] + '">' + mark[0] + "</text>");
    });
    parts.push("</g>");
    labels.forEach(function (entry, index) {
      var label = entry[2];
      var y = PAD + rows[index] * ROW + FONT;
      var group = '<g class="hist-threshold" data-claim="' + escapeText(label.claims.join(" ")) + '">';
      if (label.x === null) { /* beyond the axis: an arrow at the edge, with the share that holds */
        var anchor = label.edge === "left" ? "start" : "end";
        var at = label.edge === "left" ? LEFT : RIGHT;
        parts.push(group + '<text x="' + at + '" y="' + y + '" text-anchor="' + anchor + '">' + escapeText(label.text) + "</text></g>");
        return;
      }
      parts.push(group +
        '<line x1="' + px(label.x) + '" y1="' + (y - FONT + 2) + '" x2="' + px(label.x) + '" y2="' + bottom + '"/>' +
        '<text x="' + px(label.x + label.shift - 4) + '" y="' + y + '" text-anchor="end">' + label.left + "</text>" +
        '<text x="' + px(label.x + label.shift + 4) + '" y="' + y + '" text-anchor="start">' + label.right + "</text></g>");
    });
    parts.push("</svg>");
    return { svg: parts.join(""), histogram: h };
  }

  /* ---- the page's <figure data-histogram> ---- */

  var built = new WeakMap();

  /* The thresholds of a figure, their values recomputed from the run's point values. */
  function thresholdsOf(node, result) {
    var listed = JSON.parse(node.getAttribute("data-thresholds") || "[]");
    var functions = (root.CruxModel && root.CruxModel.thresholds) || {};
    var v = Object.create(null);
    if (result && result.spec) Object.keys(result.spec.figures).forEach(function (fid) { v[fid] = result.spec.figures[fid].value; });
    return listed.map(function (t) {
      var value = functions[t.key] && result ? functions[t.key](v) : t.value;
      return { claim: t.claim, op: t.op, value: value === value ? value : t.value };
    });
  }

  /* What each node shows: the stamp of its samples (a worker's Memo), its thresholds, seed... */
  var shown = new WeakMap();

  /* Draw `node` from `values`; with `asBuilt`, what the page goes back to on Reset (the panel's
   * own histograms have no build-time drawing: their first is the page as built, sampled here).
   * `presorted`: values are sorted, NaNs last. `stamp`: the worker's stamp of the samples, the
   * same for the same numbers: a node that shows them already, with the same thresholds and
   * text, is left as it is. */
  function redraw(node, values, engine, result, asBuilt, presorted, stamp) {
    var calcId = node.getAttribute("data-histogram");
    var thresholds = thresholdsOf(node, result);
    var key = stamp ? [stamp, JSON.stringify(thresholds), !!asBuilt, result && result.n, result && result.spec && result.spec.seed].join("|") : null;
    if (key !== null && shown.get(node) === key) return false;
    if (!built.has(node) && !asBuilt) built.set(node, node.innerHTML);
    var F = root.CruxFormat;
    var unit = node.getAttribute("data-unit") || "dimensionless";
    var drawn = svg(calcId, unit, values, thresholds, presorted);
    var old = node.querySelector("svg");
    var holder = document.createElement("div");
    holder.innerHTML = drawn.svg;
    if (old) old.replaceWith(holder.firstChild);
    else node.insertBefore(holder.firstChild, node.firstChild);
    var h = drawn.histogram;
    var q = node.querySelector("[data-hist-quantiles]");
    if (q) q.textContent = "5%: " + F.formatQuantity(h.quantiles[0], unit) + " \u00b7 median: " + F.formatQuantity(h.quantiles[1], unit) + " \u00b7 95%: " + F.formatQuantity(h.quantiles[2], unit);
    var undefinedNode = node.querySelector("[data-hist-undefined]");
    if (h.undefined > 0) {
      if (!undefinedNode && q) {
        undefinedNode = document.createElement("span");
        undefinedNode.setAttribute("data-hist-undefined", "");
        q.after(" ", undefinedNode);
      }
      if (undefinedNode) { undefinedNode.hidden = false; undefinedNode.textContent = "\u00b7 undefined in " + (h.undefined / values.length * 100).toFixed(1) + "% of draws"; }
    } else if (undefinedNode) undefinedNode.hidden = true;
    thresholds.forEach(function (t, i) {
      var share = node.querySelector("[data-hist-share='" + t.claim + "']");
      if (!share) return;
      var code = share.querySelector("code");
      if (code) code.textContent = calcId + " " + t.op + " " + F.formatNumber(t.value);
      var last = share.lastChild;
      if (last && last.nodeType === 3) last.nodeValue = ": in " + (h.shares[i][0] * 100).toFixed(1) + "% of draws.";
    });
    var basis = node.querySelector("[data-hist-basis]");
    if (basis && result) {
      basis.textContent = result.n.toLocaleString("en-US") + " draws in your browser, from " + (asBuilt ? "the page's values and ranges" : "your values and ranges") +
        " (seed " + result.spec.seed + "); the axis leaves out the rarest 1%.";
    }
    if (asBuilt) built.set(node, node.innerHTML);
    if (key !== null) shown.set(node, key);
    else shown.delete(node);
    return true;
  }

  /* ---- the panel's histograms: every calculator behind the page's claims -------------------- */

  var PANEL_MAX = 12;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      if (attrs[name] === null || attrs[name] === undefined) return;
      if (name === "text") node.textContent = attrs[name];
      else node.setAttribute(name, attrs[name]);
    });
    (children || []).forEach(function (child) { node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); });
    return node;
  }

  /* The calculators the page's claims (and its own histograms) rest on, those that decide a claim
   * first, each with a sampled figure upstream; at most PANEL_MAX. */
  function panelCalculators(chance) {
    var data = chance.engine.data;
    var thresholds = (root.CruxModel && root.CruxModel.thresholds) || {};
    var seen = Object.create(null);
    var calcs = [];
    var figuresBehind = Object.create(null);
    function behind(id) {
      if (figuresBehind[id]) return figuresBehind[id];
      var out = [];
      data.calculators[id].inputs.forEach(function (q) {
        if (data.figures[q]) out.push(q);
        else if (data.calculators[q]) out = out.concat(behind(q));
      });
      figuresBehind[id] = out;
      return out;
    }
    function visit(q) {
      if (!data.calculators[q] || seen[q]) return;
      seen[q] = true;
      calcs.push(q);
      data.calculators[q].inputs.forEach(visit);
    }
    Array.prototype.forEach.call(document.querySelectorAll("[data-histogram]"), function (node) { visit(node.getAttribute("data-histogram")); });
    chance.panel.claimIds.forEach(function (cid) { (data.claims[cid].inputs || []).forEach(visit); });
    var state = chance.panel.base;
    var spec = root.CruxWhatIfChance.specFor(chance.engine, state, { n: 1, seed: 1, base: chance.base, keep: [] });
    var drawn = calcs.filter(function (id) {
      return behind(id).some(function (fid) { return spec.figures[fid] && spec.figures[fid].sample; });
    });
    var decides = function (id) { return thresholds[id + "#0"] ? 0 : 1; };
    var order = data.calculator_order;
    drawn.sort(function (a, b) { return decides(a) - decides(b) || order.indexOf(a) - order.indexOf(b); });
    return { shown: drawn.slice(0, PANEL_MAX), total: drawn.length, spec: spec };
  }

  /* A <details> in the panel with one histogram per calculator (panelCalculators), made before
   * the panel collects the page's histograms, so every run keeps their samples and redraws them. */
  function panelSection(chance) {
    var body = chance.panel.container.querySelector("[data-whatif-body]");
    if (!body || !root.CruxModel) return null;
    var found = panelCalculators(chance);
    if (!found.shown.length) return null;
    var data = chance.engine.data;
    var functions = root.CruxModel.thresholds || {};
    var values = Object.create(null);
    Object.keys(found.spec.figures).forEach(function (fid) { values[fid] = found.spec.figures[fid].value; });
    var summary = el("summary", { text: "Distributions of " + found.shown.length + (found.total > found.shown.length ? " of " + found.total : "") + " calculator" + (found.total === 1 ? "" : "s") });
    var box = el("details", { class: "whatif-distributions", "data-panel-histograms": "" }, [summary]);
    box.appendChild(el("p", { class: "muted", text: "Sampled in your browser from the panel's values and ranges (the figures' 90% ranges above), and redrawn after every edit; each axis leaves out the rarest 1%." +
      (found.total > found.shown.length ? " The " + found.shown.length + " shown are those that decide a claim first; each calculator's own page has the rest." : "") }));
    found.shown.forEach(function (id) {
      var calc = data.calculators[id];
      var marks = [];
      for (var i = 0; functions[id + "#" + i]; i++) {
        var fn = functions[id + "#" + i];
        var value = fn(values);
        marks.push({ claim: fn.claim, op: fn.op, key: id + "#" + i, value: value });
      }
      var page = (chance.panel.root || "") + "calculators/" + id + ".html";
      var figure = el("figure", { class: "histogram-panel", "data-histogram": id, "data-unit": calc.unit, "data-thresholds": JSON.stringify(marks) }, [
        el("svg", { class: "histogram-svg", viewBox: "0 0 400 40", role: "img", "aria-label": "Distribution of " + id + ": drawn after the first run" }),
        el("figcaption", {}, [
          el("a", { href: page }, [el("code", { text: id })]), " " + calc.label, el("br"),
          el("span", { "data-hist-quantiles": "", text: "Sampling\u2026" }),
        ]),
      ]);
      box.appendChild(figure);
    });
    var after = body.querySelector(".whatif-figures");
    if (after && after.nextSibling) body.insertBefore(box, after.nextSibling);
    else body.appendChild(box);
    return box;
  }

  function restoreAll(nodes) {
    nodes.forEach(function (node) {
      if (built.has(node)) node.innerHTML = built.get(node);
      shown.delete(node);
    });
  }

  var api = { svg: svg, histogram: histogram, redraw: redraw, restoreAll: restoreAll, panelSection: panelSection,
    layout: { textWidth: textWidth, labelRows: labelRows, nameLines: nameLines, axisTicks: axisTicks, FONT: FONT, ROW: ROW, GAP: GAP }, escapeText: escapeText, px: px };
  root.CruxHistogram = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
