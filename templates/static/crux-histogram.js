/* crux-histogram.js: a calculator's histogram, redrawn from the what-if panel's samples.
 *
 * The browser side of engine/site/histogram.py, which draws the same picture at build time:
 * the same layout, bins, quantile rule (numpy.percentile's), rounding and number format
 * (crux-format.js), so a histogram redrawn from the build's own samples is the build's, text
 * for text (tests/test_browser_uncertainty.py feeds both the same samples).
 *
 *   CruxHistogram.svg(calcId, unit, values, thresholds)  -> {svg: text, histogram}
 *     thresholds: [{claim, op, value}]
 *   CruxHistogram.redraw(figureNode, values, engine, result)  the page's <figure data-histogram>
 *   CruxHistogram.restoreAll(nodes)                          back to the drawings as built
 *
 * Needs crux-format.js and crux-uncertainty.js. Sets CruxHistogram. Plain ES2017.
 */
(function (root) {
  "use strict";

  var WIDTH = 560, HEIGHT = 176;
  var LEFT = 16, RIGHT = 544, TOP = 44, BOTTOM = 128;
  var BINS = 40;
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

  /* engine.site.histogram.histogram */
  function histogram(values, thresholds) {
    var C = core();
    var sorted = C.definedSorted(values);
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

  /* engine.site.histogram.ticks */
  function ticks(low, high) {
    var raw = (high - low) / 5;
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

  /* engine.site.histogram.histogram_svg */
  function svg(calcId, unit, values, thresholds) {
    var F = root.CruxFormat;
    thresholds = thresholds || [];
    var h = histogram(values, thresholds);
    var unitText = unit === "dimensionless" ? "" : unit;
    var id = escapeText(calcId);
    var parts = [
      '<svg class="histogram-svg" viewBox="0 0 ' + WIDTH + " " + HEIGHT + '" role="img" aria-labelledby="hist-' + calcId + '-title">',
      '<title id="hist-' + calcId + '-title">Distribution of ' + id + "</title>",
    ];
    if (!h.defined) {
      parts.push('<text x="' + WIDTH / 2 + '" y="' + HEIGHT / 2 + '" text-anchor="middle">Undefined in every sample</text></svg>');
      return { svg: parts.join(""), histogram: h };
    }
    function xOf(value) { return LEFT + ((value - h.low) / (h.high - h.low)) * (RIGHT - LEFT); }
    var tallest = Math.max.apply(null, h.counts) || 1;
    var bar = (RIGHT - LEFT) / BINS;
    parts.push('<g class="hist-bars">');
    h.counts.forEach(function (count, k) {
      if (!count) return;
      var height = (count / tallest) * (BOTTOM - TOP);
      parts.push('<rect x="' + px(LEFT + k * bar) + '" y="' + px(BOTTOM - height) + '" width="' + px(bar - 1) + '" height="' + px(height) + '"/>');
    });
    parts.push("</g>");
    parts.push('<g class="hist-axis"><line x1="' + LEFT + '" y1="' + BOTTOM + '" x2="' + RIGHT + '" y2="' + BOTTOM + '"/>');
    ticks(h.low, h.high).forEach(function (tick) {
      var x = px(xOf(tick));
      parts.push('<line x1="' + x + '" y1="' + BOTTOM + '" x2="' + x + '" y2="' + (BOTTOM + 4) + '"/>' +
        '<text x="' + x + '" y="' + (BOTTOM + 16) + '" text-anchor="middle">' + escapeText(F.formatNumber(tick)) + "</text>");
    });
    parts.push('<text class="hist-unit" x="' + Math.floor((LEFT + RIGHT) / 2) + '" y="' + (HEIGHT - 8) + '" text-anchor="middle">' +
      id + (unitText ? " (" + escapeText(unitText) + ")" : "") + "</text></g>");
    parts.push('<g class="hist-quantiles">');
    var marks = [["5%", "end", -3, TOP - 4], ["50%", "middle", 0, TOP - 16], ["95%", "start", 3, TOP - 4]];
    marks.forEach(function (mark, i) {
      var x = xOf(h.quantiles[i]);
      parts.push('<line x1="' + px(x) + '" y1="' + (mark[0] === "50%" ? TOP - 12 : TOP) + '" x2="' + px(x) + '" y2="' + BOTTOM + '"/>' +
        '<text x="' + px(x + mark[2]) + '" y="' + mark[3] + '" text-anchor="' + mark[1] + '">' + mark[0] + "</text>");
    });
    parts.push("</g>");
    thresholds.forEach(function (t, index) {
      var holds = h.shares[index][0];
      var other = h.shares[index][1];
      var inside = h.low <= t.value && t.value <= h.high;
      var x = Math.min(Math.max(xOf(t.value), LEFT), RIGHT);
      var above = t.op === ">" || t.op === ">=";
      var leftText = percent(above ? other : holds);
      var rightText = percent(above ? holds : other);
      if (!above) leftText = "\u2714 " + leftText;
      else rightText = "\u2714 " + rightText;
      var y = 12 + 11 * index;
      var group = '<g class="hist-threshold" data-claim="' + escapeText(t.claim) + '">';
      if (!inside) { /* beyond the axis: an arrow at the edge, with the share that holds */
        var value = escapeText(F.formatNumber(t.value));
        if (x === LEFT) parts.push(group + '<text x="' + LEFT + '" y="' + y + '" text-anchor="start">\u25c2 ' + value + " \u00b7 " + rightText + "</text></g>");
        else parts.push(group + '<text x="' + RIGHT + '" y="' + y + '" text-anchor="end">' + leftText + " \u00b7 " + value + " \u25b8</text></g>");
        return;
      }
      parts.push(group +
        '<line x1="' + px(x) + '" y1="' + (y - 9) + '" x2="' + px(x) + '" y2="' + BOTTOM + '"/>' +
        '<text x="' + px(x - 4) + '" y="' + y + '" text-anchor="end">' + leftText + "</text>" +
        '<text x="' + px(x + 4) + '" y="' + y + '" text-anchor="start">' + rightText + "</text></g>");
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

  function redraw(node, values, engine, result) {
    if (!built.has(node)) built.set(node, node.innerHTML);
    var F = root.CruxFormat;
    var calcId = node.getAttribute("data-histogram");
    var unit = node.getAttribute("data-unit") || "dimensionless";
    var thresholds = thresholdsOf(node, result);
    var drawn = svg(calcId, unit, values, thresholds);
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
    if (basis && result) basis.textContent = result.n.toLocaleString("en-US") + " draws in your browser, from your values and ranges (seed " + result.spec.seed + "); the axis leaves out the rarest 1%.";
  }

  function restoreAll(nodes) {
    nodes.forEach(function (node) {
      if (built.has(node)) node.innerHTML = built.get(node);
    });
  }

  var api = { svg: svg, histogram: histogram, ticks: ticks, redraw: redraw, restoreAll: restoreAll };
  root.CruxHistogram = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
