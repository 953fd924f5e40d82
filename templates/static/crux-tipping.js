/* crux-tipping.js: the tipping point of one claim nearest to the reader's current values.
 *
 * The browser side of engine/analysis/flips.py (docs/analysis.md, "Tipping points"): each number
 * figure the claim depends on moves alone, every other figure keeping its current value, over
 * the same search interval as `crux flips` (model.js exports each figure's widened range and
 * bounds). The claim's label is evaluated with the compiled formulas of model.js along a grid
 * on each side of the current value, and the first change on each side is bisected to 1e-13
 * (relative). The nearest is the one with the smallest relative change |at - now| / |now|, as
 * `FlipReport.nearest` ranks them. Python solves exactly where it can; here a grid can miss
 * two crossings closer together than one grid step, which the site's Python list never does.
 *
 *   CruxTipping.nearest(engine, claimId, settings, assumptions)
 *     -> {claim, figure, at, now, unit, near, far, rising, distance} | null
 *   CruxTipping.search(engine, claimId, settings, assumptions)
 *     -> a generator, yielding after each evaluation of the claim, whose value is nearest's
 *   CruxTipping.sentence(tip)  -> "fails if cup_price rises above 9.187 USD (now 2.35)"
 *
 * `engine` is a CruxEngine.Engine (crux-engine.js); loaded after it and before the whatif*.js
 * scripts. Plain ES2017.
 */
(function (root) {
  "use strict";

  var WIDEN = 10; // engine.analysis.flips.WIDEN
  var LOG_POINTS = 40; // per side, log-spaced in the distance from the current value
  var LINEAR_POINTS = 48; // per side, evenly spaced
  var REL_TOL = 1e-13;
  var NAMES = { "1": "holds", "-1": "fails", "0": "undecided" };

  /* engine.analysis.flips.search_interval, from the exported widened range and the figure's
     physical bounds (minimum, maximum), both computed by the engine. */
  function searchInterval(figure, now) {
    var search = figure.search || { range: null };
    var a, b;
    if (search.range) {
      a = search.range[0];
      b = search.range[1];
    } else if (now > 0) {
      a = now / WIDEN;
      b = now * WIDEN;
    } else if (now < 0) {
      a = now * WIDEN;
      b = now / WIDEN;
    } else {
      a = -1;
      b = 1;
    }
    a = Math.min(a, now);
    b = Math.max(b, now);
    var lower = figure.minimum === null || figure.minimum === undefined ? -Infinity : figure.minimum;
    var upper = figure.maximum === null || figure.maximum === undefined ? Infinity : figure.maximum;
    return [Math.max(a, lower), Math.min(b, upper)];
  }

  /* Distances from the current value at which the label is checked, increasing, ending at span. */
  function offsets(span) {
    var out = [];
    var i;
    for (i = 0; i < LOG_POINTS; i++) out.push(span * Math.pow(10, -9 + (9 * i) / (LOG_POINTS - 1)));
    for (i = 1; i <= LINEAR_POINTS; i++) out.push((span * i) / LINEAR_POINTS);
    out.sort(function (x, y) { return x - y; });
    return out;
  }

  /* What one figure reaches: the calculators downstream of it (in the engine's order) and the
   * claims whose condition reads it. */
  function reach(engine, fid) {
    var cache = engine.tippingReach || (engine.tippingReach = {});
    if (cache[fid]) return cache[fid];
    var data = engine.data;
    var touched = {};
    touched[fid] = true;
    var chain = [];
    data.calculator_order.forEach(function (cid) {
      if (data.calculators[cid].inputs.some(function (q) { return touched[q]; })) {
        touched[cid] = true;
        chain.push(cid);
      }
    });
    var conditions = engine.conditionIds.filter(function (cid) {
      return data.claims[cid].inputs.some(function (q) { return touched[q]; });
    });
    return (cache[fid] = { chain: chain, conditions: conditions });
  }

  /* The claim's label as a function of one figure, everything else at `base` (an Engine.run
   * result). Only the calculators and conditions downstream of the figure are recomputed; the
   * labelling semantics runs only when the claim is not decided by its own condition, and is
   * memoised on the truth values that changed. */
  function labeller(engine, base, cid, fid) {
    var model = engine.model;
    var r = reach(engine, fid);
    var v = Object.assign({}, base.values);
    var own = Object.prototype.hasOwnProperty.call(model.conditions, cid) &&
      !Object.prototype.hasOwnProperty.call(base.assumptions, cid);
    var conditions = r.conditions.filter(function (id) {
      return !Object.prototype.hasOwnProperty.call(base.assumptions, id);
    });
    var memo = {};
    return function (x) {
      v[fid] = x;
      for (var i = 0; i < r.chain.length; i++) v[r.chain[i]] = model.calculators[r.chain[i]](v);
      if (own) return truthLabel(model.conditions[cid](v));
      var key = "";
      var fixed = null;
      for (i = 0; i < conditions.length; i++) {
        var t = truthLabel(model.conditions[conditions[i]](v));
        key += t + ",";
        if (t !== base.fixed[conditions[i]]) {
          fixed = fixed || Object.assign({}, base.fixed);
          fixed[conditions[i]] = t;
        }
      }
      if (fixed === null) return base.claimNumbers[cid];
      if (!(key in memo)) memo[key] = engine.semantics.label(engine.claimIds, engine.argumentSpecs, fixed, engine.data.tolerance).claims[cid];
      return memo[key];
    };
  }

  function truthLabel(truth) {
    return truth === 1 ? 1 : truth === 0 ? -1 : 0;
  }

  /* The first label change going away from `now` on one side: a bracket, or null. A generator
   * that yields after each evaluation of the claim, as the two below: `nearest` runs them to
   * the end at once, `search` lets the panel run them in slices (crux-tasks.js). */
  function* firstChange(label, now, start, span, side) {
    var ds = offsets(span);
    var prev = 0;
    for (var i = 0; i < ds.length; i++) {
      var d = ds[i];
      if (d <= prev) continue;
      var got = label(now + side * d);
      yield;
      if (got !== start) return { near: prev, far: d };
      prev = d;
    }
    return null;
  }

  /* Shrink a bracket [near, far] (distances from now) onto the first change of label. */
  function* bisect(label, now, start, side, near, far) {
    for (var i = 0; i < 200; i++) {
      var lo = now + side * near;
      var hi = now + side * far;
      if (Math.abs(hi - lo) <= REL_TOL * Math.max(Math.abs(lo), Math.abs(hi)) || Math.abs(hi - lo) <= 1e-300) break;
      var mid = (near + far) / 2;
      if (mid <= near || mid >= far) break;
      var same = label(now + side * mid) === start;
      yield;
      if (same) near = mid;
      else far = mid;
    }
    var at = ((now + side * near) + (now + side * far)) / 2;
    return { at: at, far: label(now + side * far) };
  }

  /* The nearest tipping point of claim `cid` at `settings`, or null: a generator whose value,
   * once done, is what `nearest` returns. */
  function* search(engine, cid, settings, assumptions) {
    if (Object.prototype.hasOwnProperty.call(assumptions, cid)) return null;
    var base = engine.run(settings, assumptions);
    base.claimNumbers = {};
    Object.keys(base.claims).forEach(function (id) {
      base.claimNumbers[id] = { holds: 1, fails: -1, undecided: 0 }[base.claims[id]];
    });
    var start = base.claimNumbers[cid];
    var data = engine.data;
    var brackets = [];
    var figures = figuresOf(engine, cid);
    for (var f = 0; f < figures.length; f++) {
      var fid = figures[f];
      var figure = data.figures[fid];
      var now = base.values[fid];
      var interval = searchInterval(figure, now);
      if (!(interval[1] > interval[0])) continue;
      var label = labeller(engine, base, cid, fid);
      var scale = now !== 0 ? Math.abs(now) : 1;
      var sides = [1, -1];
      for (var k = 0; k < sides.length; k++) {
        var side = sides[k];
        var span = side > 0 ? interval[1] - now : now - interval[0];
        if (!(span > 0)) continue;
        var found = yield* firstChange(label, now, start, span, side);
        if (found) brackets.push({ fid: fid, label: label, now: now, side: side, scale: scale, near: found.near, far: found.far });
      }
    }
    // Bisect in order of how near each bracket starts; stop once none can beat the best.
    brackets.sort(function (x, y) { return x.near / x.scale - y.near / y.scale || (x.fid < y.fid ? -1 : 1); });
    var best = null;
    for (var i = 0; i < brackets.length; i++) {
      var b = brackets[i];
      if (best && b.near / b.scale > best.distance) break;
      var hit = yield* bisect(b.label, b.now, start, b.side, b.near, b.far);
      var distance = Math.abs(hit.at - b.now) / b.scale;
      if (!best || distance < best.distance || (distance === best.distance && b.fid < best.figure)) {
        best = {
          claim: cid, figure: b.fid, at: hit.at, now: b.now, unit: data.figures[b.fid].unit,
          near: NAMES[start], far: NAMES[hit.far], rising: b.side > 0, distance: distance,
        };
      }
    }
    return best;
  }

  function nearest(engine, cid, settings, assumptions) {
    var steps = search(engine, cid, settings, assumptions);
    var step;
    do {
      step = steps.next();
    } while (!step.done);
    return step.value;
  }

  /* Every figure and claim a set of claims depends on: through conditions, calculators,
   * premises and undercutters. */
  function dependencies(engine, claimIds) {
    var data = engine.data;
    var undercutters = {};
    engine.argumentIds.forEach(function (aid) {
      var target = data.arguments[aid].undercuts;
      if (target !== null) (undercutters[target] = undercutters[target] || []).push(aid);
    });
    var seen = {};
    var figures = [];
    var claims = [];
    var stack = claimIds.map(function (cid) { return ["claim", cid]; });
    while (stack.length) {
      var item = stack.pop();
      var key = item[0] + ":" + item[1];
      if (seen[key]) continue;
      seen[key] = true;
      var id = item[1];
      if (item[0] === "claim") {
        if (!data.claims[id]) continue;
        claims.push(id);
        data.claims[id].inputs.forEach(function (q) { stack.push(["quantity", q]); });
        (engine.byConclusion[id] || []).forEach(function (aid) { stack.push(["argument", aid]); });
      } else if (item[0] === "argument") {
        data.arguments[id].premises.forEach(function (cid) { stack.push(["claim", cid]); });
        (undercutters[id] || []).forEach(function (aid) { stack.push(["argument", aid]); });
      } else if (data.figures[id]) {
        figures.push(id);
      } else if (data.calculators[id]) {
        data.calculators[id].inputs.forEach(function (q) { stack.push(["quantity", q]); });
      }
    }
    return { figures: figures.sort(), claims: claims.sort() };
  }

  /* Number figures upstream of a claim: the ones its tipping points are searched over. */
  function figuresOf(engine, cid) {
    var figures = engine.data.figures;
    return dependencies(engine, [cid]).figures.filter(function (id) { return figures[id].kind === "number"; });
  }

  /* engine.formatting.format_tipping_point */
  function sentence(tip, formatNumber, formatQuantity) {
    var at = formatQuantity(tip.at, tip.unit);
    var now = formatNumber(tip.now);
    return tip.far + " if " + tip.figure + (tip.rising ? " rises above " : " falls below ") + at + " (now " + now + ")";
  }

  var api = {
    nearest: nearest,
    search: search,
    sentence: sentence,
    searchInterval: searchInterval,
    figuresOf: figuresOf,
    dependencies: dependencies,
  };
  root.CruxTipping = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
