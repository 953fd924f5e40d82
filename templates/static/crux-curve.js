/* crux-curve.js: a figure page's chance curves, redrawn from the what-if panel's samples.
 *
 * The browser side of engine/analysis/chance_curve.py and engine/site/chance_curve_svg.py: the
 * figure is held at each value of a grid across its range (widened to its current value and to
 * tipping points within half a range width of it), every other figure with a range is drawn,
 * and P(holds) of the claims the page names is counted at each value. The panel's generator
 * draws each figure from a stream of its own (crux-uncertainty.js), so every grid value sees the
 * same draws of the other figures (common random numbers) and the curves are smooth with few
 * draws: CURVE_SAMPLES per value, so a redraw costs about half of the page's own run.
 * Tipping points come from the panel's own evaluation of the claim at the reader's values,
 * scanned across the widened range and bisected.
 *
 *   CruxCurve.svg(figureId, unit, values, series, now, tips)  -> SVG text (as Python draws it)
 *   CruxCurve.grid(figure, range, now, tipping)               -> grid values (curve_grid)
 *   new CruxCurve.Live(chance)  the page's <figure data-curve>, kept up to date by the panel
 *
 * Needs crux-format.js, crux-histogram.js (text layout) and, for Live, crux-uncertainty.js and
 * whatif-uncertainty.js. Sets CruxCurve. Plain ES2017.
 */
(function (root) {
  "use strict";

  var WIDTH = 400, LEFT = 58, RIGHT = 388, PAD = 4, PLOT = 150;
  var GRID = 25; // engine.analysis.chance_curve.GRID
  var REACH = 0.5; // engine.analysis.chance_curve.REACH
  var CURVE_SAMPLES = 500;
  var SCAN = 64; // point evaluations across the widened range, looking for tipping points

  function H() { return root.CruxHistogram; }

  /* engine.analysis.chance_curve.curve_grid, with the range the reader gives */
  function grid(figure, range, now, tipping) {
    var low = range[0], high = range[1];
    var width = high > low ? high - low : Math.abs(low) || 1;
    var start = Math.min(low, now), stop = Math.max(high, now);
    (tipping || []).forEach(function (at) {
      if (low - REACH * width <= at && at < start) start = at;
      else if (stop < at && at <= high + REACH * width) stop = at;
    });
    var margin = 0.04 * (stop - start);
    if (start < low) start -= margin;
    if (stop > high) stop += margin;
    var bounds = root.CruxUncertainty.core.physicalBounds(figure, range);
    start = Math.max(start, bounds[0]);
    stop = Math.min(stop, bounds[1]);
    if (!(stop > start)) stop = start + width;
    var out = [];
    for (var k = 0; k < GRID; k++) out.push(k === GRID - 1 ? stop : start + ((stop - start) * k) / (GRID - 1));
    return out;
  }

  /* engine.site.chance_curve_svg.curve_svg */
  function svg(figureId, unit, values, series, now, tips) {
    var F = root.CruxFormat;
    var L = H().layout;
    var esc = H().escapeText;
    var px = H().px;
    var FONT = L.FONT, ROW = L.ROW;
    var low = values[0], high = values[values.length - 1];
    function xOf(v) { return LEFT + ((v - low) / (high - low)) * (RIGHT - LEFT); }
    var markers = [];
    if (low <= now && now <= high) markers.push([xOf(now), "now " + F.formatNumber(now), "curve-now"]);
    var seen = Object.create(null);
    (tips || []).forEach(function (tip) {
      if (!(low <= tip[1] && tip[1] <= high)) return;
      var text = "tips at " + F.formatNumber(tip[1]);
      if (seen[text]) return;
      seen[text] = true;
      markers.push([xOf(tip[1]), text, "curve-tip curve-" + tip[0]]);
    });
    var extents = markers.map(function (m) {
      var half = L.textWidth(m[1]) / 2;
      var left = Math.min(Math.max(m[0] - half, 0), WIDTH - 2 * half);
      return [left, left + 2 * half];
    });
    var rows = L.labelRows(extents);
    var top = PAD + (rows.length ? Math.max.apply(null, rows) + 1 : 0) * ROW + 6;
    var bottom = top + PLOT;
    var centre = Math.floor((LEFT + RIGHT) / 2);
    var names = L.nameLines(figureId, unit === "dimensionless" ? "" : unit, 2 * (WIDTH - centre));
    var height = bottom + (1 + names.length) * ROW + 8;
    function yOf(p) { return bottom - p * PLOT; }
    var id = esc(figureId);
    var parts = [
      '<svg class="curve-svg" viewBox="0 0 ' + WIDTH + " " + height + '" role="img" aria-labelledby="curve-' + figureId + '-title">',
      '<title id="curve-' + figureId + '-title">Chance that each claim holds, against ' + id + "</title>",
      '<g class="curve-grid">',
    ];
    [0.25, 0.5, 0.75, 1].forEach(function (p) {
      var y = px(yOf(p));
      parts.push('<line x1="' + LEFT + '" y1="' + y + '" x2="' + RIGHT + '" y2="' + y + '"/>');
    });
    parts.push("</g>");
    parts.push('<g class="curve-axis"><line x1="' + LEFT + '" y1="' + bottom + '" x2="' + RIGHT + '" y2="' + bottom + '"/>' +
      '<line x1="' + LEFT + '" y1="' + top + '" x2="' + LEFT + '" y2="' + bottom + '"/>');
    [[0, "0%"], [0.5, "50%"], [1, "100%"]].forEach(function (t) {
      parts.push('<text x="' + (LEFT - 6) + '" y="' + px(yOf(t[0]) + FONT / 2 - 2) + '" text-anchor="end">' + t[1] + "</text>");
    });
    parts.push('<text class="curve-axis-name" transform="rotate(-90)" x="' + px(-(top + bottom) / 2) + '" y="' + FONT + '" text-anchor="middle">P(holds)</text>');
    L.axisTicks(low, high, LEFT, RIGHT, WIDTH, F.formatNumber).forEach(function (tick) {
      var at = px(tick[0]);
      parts.push('<line x1="' + at + '" y1="' + bottom + '" x2="' + at + '" y2="' + (bottom + 4) + '"/>' +
        '<text x="' + at + '" y="' + (bottom + ROW) + '" text-anchor="middle">' + esc(tick[1]) + "</text>");
    });
    names.forEach(function (line, k) {
      parts.push('<text class="curve-axis-name" x="' + centre + '" y="' + (bottom + (2 + k) * ROW + 2) + '" text-anchor="middle">' + esc(line) + "</text>");
    });
    parts.push("</g>");
    parts.push('<g class="curve-markers">');
    markers.forEach(function (m, i) {
      var y = PAD + rows[i] * ROW + FONT;
      parts.push('<g class="' + m[2] + '"><line x1="' + px(m[0]) + '" y1="' + (y + 3) + '" x2="' + px(m[0]) + '" y2="' + bottom + '"/>' +
        '<text x="' + px((extents[i][0] + extents[i][1]) / 2) + '" y="' + y + '" text-anchor="middle">' + esc(m[1]) + "</text></g>");
    });
    parts.push("</g>");
    series.forEach(function (probabilities, index) {
      var points = [];
      values.forEach(function (v, k) {
        var p = probabilities[k];
        if (p === p) points.push(px(xOf(v)) + "," + px(yOf(p)));
      });
      parts.push('<polyline class="curve-line curve-' + index + '" points="' + points.join(" ") + '"/>');
    });
    parts.push("</svg>");
    return parts.join("");
  }

  /* ---- live: the panel's side ---------------------------------------------------------------- */

  function Live(chance) {
    this.chance = chance;
    this.node = document.querySelector("figure[data-curve]");
    this.data = this.node ? JSON.parse(this.node.getAttribute("data-curve")) : null;
    this.built = this.node ? this.node.innerHTML : null;
    this.drawnWith = null;
  }

  /* Where each of the page's claims tips as the figure moves across [a, b], every other figure
   * at the state's value: label changes between SCAN points, bisected. */
  Live.prototype.tipping = function (resolved, a, b) {
    var engine = this.chance.engine;
    var fid = this.data.figure;
    var claims = this.data.claims;
    function labels(x) {
      var settings = Object.assign({}, resolved.settings);
      settings[fid] = x;
      var result = engine.run(settings, resolved.assumptions);
      return claims.map(function (cid) { return result.claims[cid]; });
    }
    var tips = [];
    var xs = [];
    for (var k = 0; k <= SCAN; k++) xs.push(a + ((b - a) * k) / SCAN);
    var before = labels(xs[0]);
    for (k = 1; k < xs.length; k++) {
      var after = labels(xs[k]);
      for (var c = 0; c < claims.length; c++) {
        if (after[c] === before[c]) continue;
        var lo = xs[k - 1], hi = xs[k], from = before[c];
        for (var i = 0; i < 40; i++) {
          var mid = (lo + hi) / 2;
          if (labels(mid)[c] === from) lo = mid;
          else hi = mid;
        }
        tips.push([c, (lo + hi) / 2]);
      }
      before = after;
    }
    return tips;
  };

  /* The state's curves: one run per grid value (in the worker when there is one), then drawn. */
  Live.prototype.update = function (state, stale, seed) {
    if (!this.node) return;
    var self = this;
    var chance = this.chance;
    var engine = chance.engine;
    var fid = this.data.figure;
    var figure = engine.data.figures[fid];
    var S = root.CruxWhatIfState;
    var resolved = S.resolve(engine, state);
    var now = engine.numeric(fid, resolved.settings[fid]);
    var range = (state.range && state.range[fid]) || figure.range;
    var width = range[1] > range[0] ? range[1] - range[0] : Math.abs(range[0]) || 1;
    var bounds = root.CruxUncertainty.core.physicalBounds(figure, range);
    var a = Math.max(Math.min(range[0], now) - REACH * width, bounds[0]);
    var b = Math.min(Math.max(range[1], now) + REACH * width, bounds[1]);
    var tips = this.tipping(resolved, a, b);
    var values = grid(figure, range, now, tips.map(function (t) { return t[1]; }));
    var series = this.data.claims.map(function () { return []; });
    var left = values.length;
    this.node.classList.add("chance-updating");
    this.node.setAttribute("aria-busy", "true");
    var specs = values.map(function (value) {
      var at = Object.assign({}, state, { set: Object.assign({}, state.set) });
      at.set[fid] = value;
      var base = chance.panel.base.scenario === at.scenario ? chance.base : null;
      return root.CruxWhatIfChance.specFor(engine, at, { n: CURVE_SAMPLES, seed: seed, base: base, keep: [] });
    });
    /* one job: the worker keeps the draws of the figures held alike, and a newer edit drops it */
    chance.runner.runEach(specs, stale, function (k, result) {
      if (stale()) return;
      self.data.claims.forEach(function (cid, c) {
        var counts = result.counts[cid];
        series[c][k] = counts ? counts[0] / result.n : NaN;
      });
      if (--left === 0) self.draw(values, series, now, tips, range, seed);
    });
  };

  Live.prototype.draw = function (values, series, now, tips, range, seed) {
    var F = root.CruxFormat;
    var node = this.node;
    var data = this.data;
    var holder = document.createElement("div");
    holder.innerHTML = svg(data.figure, data.unit, values, series, now, tips);
    var old = node.querySelector("svg.curve-svg");
    if (old) old.replaceWith(holder.firstChild);
    data.claims.forEach(function (cid, c) {
      var item = node.querySelector("[data-curve-claim='" + cid + "'] .muted");
      var found = tips.filter(function (t) { return t[0] === c; }).map(function (t) { return F.formatNumber(t[1]); });
      if (!item && found.length) {
        item = document.createElement("span");
        item.className = "muted";
        var li = node.querySelector("[data-curve-claim='" + cid + "']");
        if (li) { li.appendChild(document.createTextNode(" ")); li.appendChild(item); }
      }
      if (item) item.textContent = found.length ? "\u00b7 tips at " + found.join(", ") : "\u00b7 does not tip on this axis";
    });
    var basis = node.querySelector("[data-curve-basis]");
    if (basis) {
      basis.textContent = CURVE_SAMPLES.toLocaleString("en-US") + " draws at each value in your browser, from your values and ranges (seed " + seed +
        "), the same draws at every value; the axis runs from " + F.formatQuantity(values[0], data.unit) + " to " + F.formatQuantity(values[values.length - 1], data.unit) + ".";
    }
    var table = node.querySelector(".curve-numbers");
    if (table) table.hidden = true; // the build's numbers no longer describe the drawing
    node.classList.remove("chance-updating");
    node.removeAttribute("aria-busy");
    node.setAttribute("data-curve-live", String(range[0]) + ".." + String(range[1]));
  };

  Live.prototype.restore = function () {
    if (!this.node) return;
    this.node.innerHTML = this.built;
    this.node.classList.remove("chance-updating");
    this.node.removeAttribute("aria-busy");
    this.node.removeAttribute("data-curve-live");
  };

  var api = { svg: svg, grid: grid, Live: Live, CURVE_SAMPLES: CURVE_SAMPLES };
  root.CruxCurve = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
