/* crux-uncertainty.js: P(holds) of every claim, sampled in the browser (docs/whatif.md).
 *
 * The browser side of engine/analysis/sampling.py and simulate.py. Every number figure with a
 * 90% range that the state does not hold at a value of its own is drawn from its distribution:
 * normal, lognormal (normal in log space) or uniform (the range is its central 90%), truncated by
 * inverse CDF to the figure's physical bounds, exactly the engine's rule. The figures are
 * Float64Arrays of n samples; the calculators and conditions are the engine's own formulas
 * compiled by engine/formula/to_js.py into fused loops over those arrays (CruxModel.vector, loops
 * of one shape shared: vectorSource), and each distinct combination of decided labels is labelled
 * once, all of them together over typed arrays (CruxSemantics.Plan), and counted as often as it
 * occurs (simulate.label_counts).
 *
 * Random numbers: xoshiro128** (Blackman and Vigna's generator, written here from its
 * published description), one stream per figure, seeded from the run's seed and the figure's
 * id. A figure's draws therefore do not depend on which other figures are sampled: widening one
 * range moves P(holds) only through that figure (common random numbers), and the same seed gives
 * the same numbers on every page. numpy draws other numbers, so the browser agrees with
 * `crux simulate` statistically (within its standard errors), not to the digit.
 *
 * Everything that runs on samples is inside `factory`, which closes over nothing: the panel
 * ships its source text (Function.prototype.toString) to a Web Worker made from a Blob URL,
 * which works from file:// too; where no worker can be made it runs here in slices of a few ms.
 *
 *   CruxUncertainty.core          the factory's result on this page (tests use it directly)
 *   CruxUncertainty.workerSource(model)  the worker's whole source text
 *
 * Needs crux-runtime.js, crux-semantics.js and model.js. Sets CruxUncertainty. Plain ES2017.
 */
(function (root) {
  "use strict";

  /* Self-contained: R is CruxRuntime.R, label and Plan are CruxSemantics.label and .Plan. */
  function factory(R, label, Plan) {
    var Z95 = 1.6448536269514722; // engine.analysis.sampling.Z95
    var HOLDS = 1;
    var FAILS = -1;

    /* ---- random numbers ------------------------------------------------------------------ */

    /* FNV-1a over a string's UTF-16 units: a figure's stream number. */
    function hashText(text) {
      var h = 0x811c9dc5;
      for (var i = 0; i < text.length; i++) {
        h ^= text.charCodeAt(i);
        h = Math.imul(h, 0x01000193);
      }
      return h >>> 0;
    }

    /* splitmix32 steps fill the four words of state, so that nearby seeds give unrelated
     * streams and the state is never all zero. */
    function Stream(seed, name) {
      var x = (hashText(name) ^ Math.imul(seed >>> 0, 0x9e3779b1) ^ ((seed / 4294967296) >>> 0)) >>> 0;
      var s = new Uint32Array(4);
      for (var k = 0; k < 4; k++) {
        x = (x + 0x9e3779b9) >>> 0;
        var z = x;
        z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
        z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
        s[k] = (z ^ (z >>> 16)) >>> 0;
      }
      if (!(s[0] | s[1] | s[2] | s[3])) s[0] = 1;
      this.s = s;
    }

    /* xoshiro128**: the next 32 random bits. */
    Stream.prototype.next32 = function () {
      var s = this.s;
      var result = Math.imul(rotl(Math.imul(s[1], 5), 7), 9) >>> 0;
      var t = s[1] << 9;
      s[2] ^= s[0];
      s[3] ^= s[1];
      s[1] ^= s[2];
      s[0] ^= s[3];
      s[2] ^= t;
      s[3] = rotl(s[3], 11);
      return result;
    };

    function rotl(x, k) {
      return (x << k) | (x >>> (32 - k));
    }

    /* A uniform double in [0, 1) with 53 random bits. */
    Stream.prototype.uniform = function () {
      var high = this.next32() >>> 5; // 27 bits
      var low = this.next32() >>> 6; // 26 bits
      return (high * 67108864 + low) / 9007199254740992;
    };

    /* n uniforms into out: `uniform` n times, with the state in locals (no call per draw). */
    Stream.prototype.fill = function (out, n) {
      var st = this.s;
      var s0 = st[0] | 0, s1 = st[1] | 0, s2 = st[2] | 0, s3 = st[3] | 0;
      for (var i = 0; i < n; i++) {
        var r, t, x;
        x = Math.imul(s1, 5);
        r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        var high = r >>> 5;
        x = Math.imul(s1, 5);
        r = Math.imul((x << 7) | (x >>> 25), 9) >>> 0;
        t = s1 << 9;
        s2 ^= s0; s3 ^= s1; s1 ^= s2; s0 ^= s3; s2 ^= t; s3 = (s3 << 11) | (s3 >>> 21);
        out[i] = (high * 67108864 + (r >>> 6)) / 9007199254740992;
      }
      st[0] = s0; st[1] = s1; st[2] = s2; st[3] = s3;
    };

    /* ---- the normal distribution --------------------------------------------------------- */

    /* erfc(x) for x >= 0 to ~1e-15: the Taylor series of erf near 0, a continued fraction in the
     * tail (evaluated by the modified Lentz method). */
    function erfcPositive(x) {
      if (x < 2) {
        var term = x;
        var sum = x;
        var x2 = x * x;
        for (var k = 1; k < 200; k++) {
          term *= -x2 / k;
          var add = term / (2 * k + 1);
          sum += add;
          if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
        }
        return 1 - (2 / Math.sqrt(Math.PI)) * sum;
      }
      // erfc(x) = exp(-x^2)/sqrt(pi) * 1/(x + (1/2)/(x + 1/(x + (3/2)/(x + 2/(x + ...)))))
      var tiny = 1e-300;
      var f = x;
      var C = x;
      var D = 0;
      for (var j = 1; j < 500; j++) {
        var a = j / 2;
        D = x + a * D;
        if (Math.abs(D) < tiny) D = tiny;
        C = x + a / C;
        if (Math.abs(C) < tiny) C = tiny;
        D = 1 / D;
        var delta = C * D;
        f *= delta;
        if (Math.abs(delta - 1) < 1e-16) break;
      }
      return Math.exp(-x * x) / Math.sqrt(Math.PI) / f;
    }

    /* The standard normal distribution function (scipy.special.ndtr). */
    function ndtr(z) {
      if (z !== z) return NaN;
      if (z === Infinity) return 1;
      if (z === -Infinity) return 0;
      var x = Math.abs(z) / Math.SQRT2;
      var tail = 0.5 * erfcPositive(x);
      return z < 0 ? tail : 1 - tail;
    }

    /* The standard normal quantile (scipy.special.ndtri): Acklam's rational approximation
     * (relative error below 1.2e-9, far finer than sampling noise). */
    var A = [-3.969683028665376e1, 2.209460984245205e2, -2.759285104469687e2, 1.38357751867269e2, -3.066479806614716e1, 2.506628277459239];
    var B = [-5.447609879822406e1, 1.615858368580409e2, -1.556989798598866e2, 6.680131188771972e1, -1.328068155288572e1];
    var C = [-7.784894002430293e-3, -3.223964580411365e-1, -2.400758277161838, -2.549732539343734, 4.374664141464968, 2.938163982698783];
    var D = [7.784695709041462e-3, 3.224671290700398e-1, 2.445134137142996, 3.754408661907416];
    var P_LOW = 0.02425;

    function ndtri(p) {
      var q, r;
      if (p < P_LOW) {
        q = Math.sqrt(-2 * Math.log(p));
        return (((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
          ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
      }
      if (p > 1 - P_LOW) {
        q = Math.sqrt(-2 * Math.log(1 - p));
        return -(((((C[0] * q + C[1]) * q + C[2]) * q + C[3]) * q + C[4]) * q + C[5]) /
          ((((D[0] * q + D[1]) * q + D[2]) * q + D[3]) * q + 1);
      }
      q = p - 0.5;
      r = q * q;
      return (((((A[0] * r + A[1]) * r + A[2]) * r + A[3]) * r + A[4]) * r + A[5]) * q /
        (((((B[0] * r + B[1]) * r + B[2]) * r + B[3]) * r + B[4]) * r + 1);
    }

    /* ---- a figure's distribution (engine.analysis.sampling.Marginal) ---------------------- */

    function Marginal(distribution, low, high, lower, upper) {
      this.distribution = distribution;
      this.low = low;
      this.high = high;
      this.lower = lower;
      this.upper = upper;
      if (distribution === "lognormal") {
        this.location = (Math.log(low) + Math.log(high)) / 2;
        this.scale = (Math.log(high) - Math.log(low)) / (2 * Z95);
      } else if (distribution === "normal") {
        this.location = (low + high) / 2;
        this.scale = (high - low) / (2 * Z95);
      } else {
        this.location = (low + high) / 2;
        this.scale = (high - low) / 2 / 0.9;
      }
      this.uLow = this.cdf(lower);
      this.uHigh = this.cdf(upper);
    }

    Marginal.prototype.cdf = function (x) {
      var mu = this.location;
      var s = this.scale;
      if (this.distribution === "uniform") {
        if (s === 0) return x < mu ? 0 : 1;
        return Math.min(1, Math.max(0, (x - (mu - s)) / (2 * s)));
      }
      var z;
      if (this.distribution === "lognormal") z = x > 0 ? (Math.log(x) - mu) / s : -Infinity;
      else z = s > 0 ? (x - mu) / s : x < mu ? -Infinity : Infinity;
      return ndtr(z);
    };

    /* n draws into `out`, truncated to the physical bounds: uniforms between the bounds'
     * percentiles, then the quantile function, all in flat loops over the array. */
    Marginal.prototype.sample = function (stream, n, out) {
      stream.fill(out, n);
      var uLow = this.uLow;
      var width = this.uHigh - uLow;
      var mu = this.location;
      var s = this.scale;
      var lower = this.lower;
      var upper = this.upper;
      var kind = this.distribution;
      var i, u, x;
      for (i = 0; i < n; i++) {
        u = uLow + width * out[i];
        out[i] = u < 1e-300 ? 1e-300 : u > 0.9999999999999999 ? 0.9999999999999999 : u;
      }
      if (kind === "uniform") {
        for (i = 0; i < n; i++) out[i] = mu - s + 2 * s * out[i];
      } else {
        ndtriInPlace(out, n);
        if (kind === "lognormal") for (i = 0; i < n; i++) out[i] = Math.exp(mu + s * out[i]);
        else for (i = 0; i < n; i++) out[i] = mu + s * out[i];
      }
      for (i = 0; i < n; i++) {
        x = out[i];
        out[i] = x < lower ? lower : x > upper ? upper : x;
      }
    };

    /* ndtri of every element, in place (the same approximation, without a call per element). */
    function ndtriInPlace(out, n) {
      var a0 = A[0], a1 = A[1], a2 = A[2], a3 = A[3], a4 = A[4], a5 = A[5];
      var b0 = B[0], b1 = B[1], b2 = B[2], b3 = B[3], b4 = B[4];
      for (var i = 0; i < n; i++) {
        var p = out[i];
        if (p < P_LOW || p > 1 - P_LOW) {
          out[i] = ndtri(p);
          continue;
        }
        var q = p - 0.5;
        var r = q * q;
        out[i] = (((((a0 * r + a1) * r + a2) * r + a3) * r + a4) * r + a5) * q /
          (((((b0 * r + b1) * r + b2) * r + b3) * r + b4) * r + 1);
      }
    }

    /* Why a range cannot be sampled, or null (engine.analysis.sampling.check_distributions). */
    function rangeProblem(distribution, low, high, lower, upper) {
      if (!(isFinite(low) && isFinite(high))) return "Enter two numbers.";
      if (low > high) return "The low end is above the high end.";
      if (distribution === "lognormal" && !(low > 0)) return "A lognormal range must be above 0.";
      var m = new Marginal(distribution, low, high, lower, upper);
      if (!(m.uHigh - m.uLow > 1e-12)) return "The range lies outside the figure's bounds.";
      return null;
    }

    /* engine.knowledge.settings.physical_bounds with the range the reader gives. */
    function physicalBounds(figure, range) {
      var lower = figure.declared_minimum;
      if (lower === null || lower === undefined) {
        var value = Number(figure.value);
        var low = range ? range[0] : value;
        lower = value >= 0 && low >= 0 && (value > 0 || !!range) ? 0 : -Infinity;
      }
      var upper = figure.declared_maximum === null || figure.declared_maximum === undefined ? Infinity : figure.declared_maximum;
      return [lower, upper];
    }

    /* ---- rank correlation (engine.analysis.sampling.iman_conover) ---------------------------- *
     * The knowledge base's correlations between figures, imposed on each block of draws by the
     * Iman–Conover method, which only reorders every figure's draws, so each keeps exactly the
     * distribution drawn above. Van der Waerden scores ndtri(i/(n+1)), shuffled per figure, are
     * whitened by their achieved correlation and given the scores' target correlation
     * 2·sin(π·rho/6) (the Pearson correlation of normal scores whose Spearman correlation is rho);
     * each figure's draws then take the rank order of its scores. The engine factors the target
     * by its symmetric square root and this by Cholesky: either factor gives the scores exactly the
     * target correlation, so the two agree in distribution, as the rest of the sampling does. */

    /* The pairs [a, b, rho] whose figures are both sampled (`effective_correlations`), to impose
     * on each block; null when no pair has both its figures sampled. */
    function correlationFor(pairs, sampled, seed) {
      var used = (pairs || []).filter(function (p) { return sampled[p[0]] && sampled[p[1]] && p[0] !== p[1]; });
      return used.length ? new Correlation(used, seed) : null;
    }

    function Correlation(pairs, seed) {
      var ids = [];
      pairs.forEach(function (p) {
        if (ids.indexOf(p[0]) < 0) ids.push(p[0]);
        if (ids.indexOf(p[1]) < 0) ids.push(p[1]);
      });
      ids.sort();
      var k = ids.length;
      var target = identity(k);
      pairs.forEach(function (p) {
        var a = ids.indexOf(p[0]);
        var b = ids.indexOf(p[1]);
        target[a][b] = target[b][a] = 2 * Math.sin((Math.PI * p[2]) / 6);
      });
      this.ids = ids; // figures in id order, as the engine's rows
      this.pairs = pairs;
      this.factor = cholesky(target);
      /* one stream per figure for the shuffles, apart from its draws' stream */
      this.streams = ids.map(function (id) { return new Stream(seed, "rank order of " + id); });
    }

    function identity(k) {
      var m = [];
      for (var i = 0; i < k; i++) {
        m.push(new Float64Array(k));
        m[i][i] = 1;
      }
      return m;
    }

    /* L with L·Lᵀ = m for a positive semi-definite m (a vanishing pivot gives a zero column, so
     * a correlation of ±1 is allowed); null when m is not positive semi-definite. */
    function cholesky(m) {
      var k = m.length;
      var L = identity(k);
      for (var j = 0; j < k; j++) {
        var d = m[j][j];
        for (var p = 0; p < j; p++) d -= L[j][p] * L[j][p];
        if (d < -1e-9) return null;
        var pivot = d > 1e-12 ? Math.sqrt(d) : 0;
        L[j][j] = pivot;
        for (var i = j + 1; i < k; i++) {
          var x = m[i][j];
          for (var q = 0; q < j; q++) x -= L[i][q] * L[j][q];
          L[i][j] = pivot > 0 ? x / pivot : 0;
        }
      }
      return L;
    }

    /* Reorder the draws of the correlated figures in v (n each) in place. */
    Correlation.prototype.impose = function (v, n) {
      var k = this.ids.length;
      if (k < 2 || n < 3 || !this.factor) return;
      if (!this.base || this.base.length !== n) { // van der Waerden scores, kept for the next block
        this.base = new Float64Array(n);
        for (var b = 0; b < n; b++) this.base[b] = ndtri((b + 1) / (n + 1));
      }
      var base = this.base;
      var i;
      var scores = [];
      var r, c, s;
      for (r = 0; r < k; r++) {
        var row = new Float64Array(base);
        var stream = this.streams[r];
        for (i = n - 1; i > 0; i--) { // Fisher–Yates
          var j = Math.floor(stream.uniform() * (i + 1));
          var t = row[i];
          row[i] = row[j];
          row[j] = t;
        }
        scores.push(row);
      }
      var achieved = sampleCorrelation(scores, n);
      var whiten = cholesky(achieved);
      if (!whiten || whiten.some(function (w, d) { return !(w[d] > 0); })) return; // too few draws to shuffle apart
      var transform = multiply(this.factor, lowerInverse(whiten));
      var mixed = [];
      for (r = 0; r < k; r++) {
        var out = new Float64Array(n);
        for (c = 0; c <= r; c++) {
          var w = transform[r][c];
          if (w === 0) continue;
          var src = scores[c];
          for (s = 0; s < n; s++) out[s] += w * src[s];
        }
        mixed.push(out);
      }
      for (r = 0; r < k; r++) {
        var values = v[this.ids[r]];
        var sorted = new Float64Array(values.subarray(0, n)).sort();
        var ranks = ranksOf(mixed[r], n);
        for (s = 0; s < n; s++) values[s] = sorted[ranks[s]];
      }
    };

    /* numpy.corrcoef of the rows. */
    function sampleCorrelation(rows, n) {
      var k = rows.length;
      var centred = rows.map(function (row) {
        var mean = 0;
        for (var s = 0; s < n; s++) mean += row[s];
        mean /= n;
        var out = new Float64Array(n);
        for (s = 0; s < n; s++) out[s] = row[s] - mean;
        return out;
      });
      var m = identity(k);
      var norms = centred.map(function (row) {
        var sum = 0;
        for (var s = 0; s < n; s++) sum += row[s] * row[s];
        return Math.sqrt(sum);
      });
      for (var a = 0; a < k; a++) {
        for (var b = 0; b < a; b++) {
          var dot = 0;
          for (var s = 0; s < n; s++) dot += centred[a][s] * centred[b][s];
          m[a][b] = m[b][a] = dot / (norms[a] * norms[b]);
        }
      }
      return m;
    }

    /* The inverse of a lower-triangular matrix with a positive diagonal (forward substitution). */
    function lowerInverse(L) {
      var k = L.length;
      var inv = identity(k);
      for (var col = 0; col < k; col++) {
        for (var i = col; i < k; i++) {
          var x = i === col ? 1 : 0;
          for (var p = col; p < i; p++) x -= L[i][p] * inv[p][col];
          inv[i][col] = x / L[i][i];
        }
      }
      return inv;
    }

    function multiply(a, b) {
      var k = a.length;
      var out = identity(k);
      for (var i = 0; i < k; i++) {
        for (var j = 0; j < k; j++) {
          var x = 0;
          for (var p = 0; p < k; p++) x += a[i][p] * b[p][j];
          out[i][j] = x;
        }
      }
      return out;
    }

    /* Each value's rank, 0 for the smallest (the inverse of numpy.argsort's order; tied values
     * take consecutive ranks). A native sort and a binary search per value: a comparator sort of
     * indices takes several times as long. */
    function ranksOf(values, n) {
      var sorted = new Float64Array(values.subarray(0, n)).sort();
      var ranks = new Uint32Array(n);
      var taken = new Uint32Array(n);
      for (var s = 0; s < n; s++) {
        var x = values[s];
        var lo = 0;
        var hi = n;
        while (lo < hi) {
          var mid = (lo + hi) >>> 1;
          if (sorted[mid] < x) lo = mid + 1;
          else hi = mid;
        }
        ranks[s] = lo + taken[lo]++;
      }
      return ranks;
    }

    /* ---- scratch arrays, reused from run to run (allocating them is most of a run's cost) ---- */

    var pool = Object.create(null);
    var poolValues = Object.create(null);
    var labelPool = Object.create(null);
    var plans = new Map(); // Run.prototype.plan
    var planCount = 0; // each plan's stamp in a Memo's keys
    var labelCells = null; // the labels of a block's combinations, reused (Plan.label)

    function buffer(key, n) {
      var b = pool[key];
      if (!b || b.length !== n) {
        b = pool[key] = new Float64Array(n);
        delete poolValues[key];
      }
      return b;
    }

    /* A figure held at one value: its array is refilled only when the value changes. */
    function constant(id, value, n) {
      var key = "k:" + id;
      var b = buffer(key, n);
      if (!(key in poolValues) || !Object.is(poolValues[key], value)) {
        b.fill(value);
        poolValues[key] = value;
      }
      return b;
    }

    function labelBuffer(id, n) {
      var b = labelPool[id];
      if (!b || b.length !== n) b = labelPool[id] = new Int8Array(n);
      return b;
    }

    /* A condition's truth per sample (1, 0 or NaN) written as labels into `labels`; `same`: every
     * sample has the first one's label, `first`. */
    function labelsOfTruth(truth, labels, n) {
      var first = truth[0] === 1 ? HOLDS : truth[0] === 0 ? FAILS : 0;
      var same = true;
      for (var s = 0; s < n; s++) {
        var t = truth[s];
        var l = t === 1 ? HOLDS : t === 0 ? FAILS : 0;
        labels[s] = l;
        if (l !== first) same = false;
      }
      return { same: same, first: first };
    }

    /* ---- a run ----------------------------------------------------------------------------- *
     * spec: {n, seed, figures: {id: {value: number, sample: null | {distribution, low, high,
     *        lower, upper}}}, correlations: [[a, b, rho]], order: [calculator ids], conditions: [claim ids], claims: [ids],
     *        args: [argument specs], assumed: {claim: 1|-1}, tolerance, keep: [calculator ids]}
     * vector: {calculators: {id: fn(v, n, out)}, conditions: {id: fn}}
     * Returns {n, counts: {claim: [holds, fails, undecided]}, kept: {calculator: Float64Array},
     *          combos: number}. `n` samples are drawn in blocks of `block` (all at once by default).
     */
    function Run(spec, vector, block, memo) {
      this.spec = spec;
      this.vector = vector;
      this.block = Math.max(1, Math.min(block || spec.n, spec.n));
      /* a Memo serves runs of one block whose formulas' inputs are known (vectorSource's reads) */
      this.memo = memo && this.block === spec.n && vector.reads ? memo : null;
      this.stamps = Object.create(null); // with a memo: each kept calculator's stamp
      this.done = 0;
      this.counts = Object.create(null);
      for (var i = 0; i < spec.claims.length; i++) this.counts[spec.claims[i]] = [0, 0, 0];
      this.kept = Object.create(null);
      for (var k = 0; k < spec.keep.length; k++) this.kept[spec.keep[k]] = new Float64Array(spec.n);
      this.streams = Object.create(null);
      this.marginals = Object.create(null);
      this.combos = 0;
      /* claims some argument rests on: only their conditions make combinations to label */
      this.premises = Object.create(null);
      for (var a = 0; a < spec.args.length; a++) {
        for (var p = 0; p < spec.args[a].premises.length; p++) this.premises[spec.args[a].premises[p]] = true;
      }
      var ids = Object.keys(spec.figures);
      for (var j = 0; j < ids.length; j++) {
        var sample = spec.figures[ids[j]].sample;
        if (!sample) continue;
        this.streams[ids[j]] = new Stream(spec.seed, ids[j]);
        this.marginals[ids[j]] = new Marginal(sample.distribution, sample.low, sample.high, sample.lower, sample.upper);
      }
      this.correlation = correlationFor(spec.correlations, this.marginals, spec.seed);
    }

    /* Draw and count the next block; true when the run is complete. */
    Run.prototype.step = function () {
      var spec = this.spec;
      if (this.memo) return this.stepMemo();
      var n = Math.min(this.block, spec.n - this.done);
      if (n <= 0) return true;
      var v = Object.create(null);
      var ids = Object.keys(spec.figures);
      var i, id;
      for (i = 0; i < ids.length; i++) {
        id = ids[i];
        if (this.marginals[id]) {
          v[id] = buffer("f:" + id, n);
          this.marginals[id].sample(this.streams[id], n, v[id]);
        } else {
          v[id] = constant(id, spec.figures[id].value, n);
        }
      }
      if (this.correlation) this.correlation.impose(v, n);
      this.drawn = v; // the block's figures, for tests that check the draws themselves
      for (i = 0; i < spec.order.length; i++) {
        id = spec.order[i];
        var out = buffer("c:" + id, n);
        this.vector.calculators[id](v, n, out);
        v[id] = out;
        if (this.kept[id]) this.kept[id].set(out, this.done);
      }
      /* decided labels: conditions per sample, then what is fixed for every sample */
      var varying = [];
      var base = Object.create(null);
      this.direct = Object.create(null);
      var truth = buffer("truth", n);
      for (i = 0; i < spec.conditions.length; i++) {
        id = spec.conditions[i];
        this.vector.conditions[id](v, n, truth);
        var labels = labelBuffer(id, n);
        var read = labelsOfTruth(truth, labels, n);
        if (read.same) base[id] = read.first;
        else if (this.premises[id]) varying.push([id, labels]);
        else this.countDirect(id, labels, n);
      }
      var assumed = Object.keys(spec.assumed);
      for (i = 0; i < assumed.length; i++) base[assumed[i]] = spec.assumed[assumed[i]];
      this.countLabels(base, varying, n);
      this.done += n;
      return this.done >= spec.n;
    };

    /* simulate.label_counts: each distinct combination of the varying labels is labelled once. */
    /* A claim its condition decides that is no argument's premise: nothing else depends on its
     * label, so its counts are read off its labels, and it stays out of the combinations. */
    Run.prototype.countDirect = function (id, labels, n) {
      var counts = this.counts[id];
      if (!counts) return;
      var holds = 0, fails = 0;
      for (var s = 0; s < n; s++) {
        if (labels[s] === HOLDS) holds++;
        else if (labels[s] === FAILS) fails++;
      }
      counts[0] += holds;
      counts[1] += fails;
      counts[2] += n - holds - fails;
      this.direct[id] = true;
    };

    /* The labelling plan of this run's fixed claims (every condition and assumption), made once
     * per map and set of fixed claims and kept while the page (or the worker) lives. */
    Run.prototype.plan = function () {
      if (this.planned) return this.planned;
      var spec = this.spec;
      var ids = spec.conditions.concat(Object.keys(spec.assumed).filter(function (id) {
        return spec.conditions.indexOf(id) < 0;
      })).sort();
      /* the map as text: a worker receives a copy of the same arguments with every job */
      var key = JSON.stringify([ids, spec.claims, spec.args, spec.tolerance]);
      var cached = plans.get(key);
      if (!cached) {
        if (plans.size > 16) plans.clear();
        cached = { ids: ids, plan: new Plan(spec.claims, spec.args, ids, spec.tolerance), stamp: "p" + (++planCount) };
        plans.set(key, cached);
      }
      this.planned = cached;
      return cached;
    };

    /* simulate.label_counts: each distinct combination of the varying labels is labelled once,
     * all of them together over typed arrays (CruxSemantics.Plan), and counted as often as it
     * occurs. */
    Run.prototype.countLabels = function (base, varying, n) {
      var i, s, g;
      var first = [];
      var weight = [];
      var total = n;
      if (varying.length === 0) {
        first.push(0);
        weight.push(n);
      } else {
        /* each sample's combination as one integer: its varying labels as digits in base 3,
         * renumbered 0, 1, 2, ... before it could lose precision (simulate._distinct_samples) */
        var codes = buffer("codes", n);
        codes.fill(0);
        var bound = 1;
        for (i = 0; i < varying.length; i++) {
          if (bound > 1e15) bound = renumber(codes, n);
          var labels = varying[i][1];
          for (s = 0; s < n; s++) codes[s] = codes[s] * 3 + labels[s] + 1;
          bound *= 3;
        }
        var groups = new Map();
        for (s = 0; s < n; s++) {
          g = groups.get(codes[s]);
          if (g === undefined) {
            groups.set(codes[s], first.length);
            first.push(s);
            weight.push(1);
          } else weight[g]++;
        }
      }
      var m = first.length;
      var planned = this.plan();
      var ids = planned.ids;
      var plan = planned.plan;
      var byId = Object.create(null);
      for (i = 0; i < varying.length; i++) byId[varying[i][0]] = varying[i][1];
      var values = new Int8Array(ids.length * m);
      for (i = 0; i < ids.length; i++) {
        var vary = byId[ids[i]];
        if (vary) {
          for (g = 0; g < m; g++) values[i * m + g] = vary[first[g]];
        } else if (ids[i] in base) {
          values.fill(base[ids[i]], i * m, (i + 1) * m);
        } /* else a condition counted directly: nothing reads its label */
      }
      var L = labelCells = plan.label(values, m, labelCells);
      var claims = this.spec.claims;
      for (var c = 0; c < claims.length; c++) {
        if (this.direct[claims[c]]) continue;
        var off = plan.row[claims[c]] * m;
        var holds = 0, fails = 0;
        for (g = 0; g < m; g++) {
          var value = L[off + g];
          if (value === HOLDS) holds += weight[g];
          else if (value === FAILS) fails += weight[g];
        }
        var counts = this.counts[claims[c]];
        counts[0] += holds;
        counts[1] += fails;
        counts[2] += total - holds - fails;
      }
      this.combos += m;
    };


    /* ---- draws and formulas kept from run to run (a worker's Memo) --------------------------- *
     * After an edit the worker runs the page's state and then every other matrix column, all with
     * one seed and n, and the next edit does it again: most figures are drawn with the same
     * distribution every time, and most formulas read the same arrays. A Memo keeps each array
     * under a key of what made it: a drawn figure's id, distribution, range, bounds, seed and n;
     * a held figure's value; a correlated group's pairs and its members' keys (Iman–Conover
     * reorders their draws jointly); a formula's id and its inputs' keys. So a run computes only
     * what differs from the runs before it, and computes it with the same functions from the same
     * inputs as a run without a memo: the same numbers, bit for bit. Each entry has a short
     * stamp that stands for its key in the keys built on it. The least recently used entries are
     * dropped when a job starts and they exceed a budget of bytes (Memo.startJob). */
    function Memo(budget) {
      this.entries = new Map(); // least recently used first
      this.budget = budget || 64 * 1024 * 1024; // bytes of arrays kept between jobs
      this.bytes = 0;
      this.job = 0;
      this.made = 0;
      this.free = [];
      this.hits = 0;
      this.misses = 0;
    }

    function bytesOf(entry) {
      var b = 0;
      if (entry.array) b += entry.array.byteLength;
      if (entry.labels) b += entry.labels.byteLength;
      if (entry.arrays) for (var i = 0; i < entry.arrays.length; i++) b += entry.arrays[i].byteLength;
      return b;
    }

    /* Before a job: the least recently used entries dropped until the rest fit the budget (never
     * during one, so a job's own arrays stay put). */
    Memo.prototype.startJob = function () {
      this.job++;
      var self = this;
      if (this.bytes <= this.budget) return;
      var drop = [];
      var bytes = this.bytes;
      this.entries.forEach(function (entry, key) {
        if (bytes <= self.budget * 0.75) return;
        drop.push(key);
        bytes -= entry.bytes;
      });
      drop.forEach(function (key) {
        var entry = self.entries.get(key);
        self.entries.delete(key);
        self.bytes -= entry.bytes;
        if (self.free.length < 32 && entry.array) self.free.push(entry.array);
      });
    };

    Memo.prototype.get = function (key) {
      var entry = key === null ? undefined : this.entries.get(key);
      if (entry) {
        this.entries.delete(key); // to the end: the most recently used
        this.entries.set(key, entry);
        this.hits++;
      }
      return entry;
    };

    Memo.prototype.put = function (key, entry) {
      entry.stamp = "#" + (++this.made).toString(36);
      entry.bytes = bytesOf(entry);
      this.bytes += entry.bytes;
      this.entries.set(key, entry);
      this.misses++;
      return entry;
    };

    /* An array of n doubles: a dropped entry's, or a new one. */
    Memo.prototype.alloc = function (n) {
      while (this.free.length) {
        var a = this.free.pop();
        if (a.length === n) return a;
      }
      return new Float64Array(n);
    };

    /* A number as a key: exact (shortest round trip), -0 apart from 0. */
    function num(x) {
      return typeof x === "number" && x === 0 && 1 / x < 0 ? "-0" : String(x);
    }

    /* The key of a formula reading `names`, or null when one of them has no stamp. */
    function formulaKey(kind, id, names, stamp, n) {
      if (!names) return null;
      var parts = new Array(names.length);
      for (var i = 0; i < names.length; i++) {
        var t = stamp[names[i]];
        if (!t) return null;
        parts[i] = t;
      }
      return kind + "|" + id + "|" + n + "(" + parts.join(",") + ")";
    }

    /* The whole run as one block, every array looked up in the memo before it is computed. */
    Run.prototype.stepMemo = function () {
      var spec = this.spec;
      var memo = this.memo;
      var reads = this.vector.reads;
      var n = spec.n;
      if (this.done >= n) return true;
      var v = Object.create(null);
      var stamp = Object.create(null);
      var ids = Object.keys(spec.figures);
      var i, id, key, entry, out;
      var seed = num(spec.seed);
      for (i = 0; i < ids.length; i++) {
        id = ids[i];
        var sample = spec.figures[id].sample;
        if (this.marginals[id]) {
          key = "d|" + id + "|" + sample.distribution + "|" + num(sample.low) + "|" + num(sample.high) + "|" +
            num(sample.lower) + "|" + num(sample.upper) + "|" + seed + "|" + n;
          entry = memo.get(key);
          if (!entry) {
            out = memo.alloc(n);
            this.marginals[id].sample(this.streams[id], n, out);
            entry = memo.put(key, { array: out });
          }
        } else {
          var value = spec.figures[id].value;
          key = "k|" + id + "|" + num(value) + "|" + n;
          entry = memo.get(key);
          if (!entry) {
            out = memo.alloc(n);
            out.fill(value);
            entry = memo.put(key, { array: out });
          }
        }
        v[id] = entry.array;
        stamp[id] = entry.stamp;
      }
      var correlation = this.correlation;
      if (correlation) {
        var members = correlation.ids;
        key = "r|" + seed + "|" + n + "|" + JSON.stringify(correlation.pairs) + "|" + members.map(function (m) { return stamp[m]; }).join(",");
        entry = memo.get(key);
        if (!entry) {
          var arrays = [];
          var w = Object.create(null);
          for (i = 0; i < members.length; i++) {
            out = memo.alloc(n);
            out.set(v[members[i]]);
            arrays.push((w[members[i]] = out));
          }
          correlation.impose(w, n);
          entry = memo.put(key, { arrays: arrays });
        }
        for (i = 0; i < members.length; i++) {
          v[members[i]] = entry.arrays[i];
          stamp[members[i]] = entry.stamp + "." + i;
        }
      }
      this.drawn = v;
      for (i = 0; i < spec.order.length; i++) {
        id = spec.order[i];
        key = formulaKey("c", id, reads.calculators[id], stamp, n);
        entry = memo.get(key);
        if (!entry) {
          out = key === null ? buffer("c:" + id, n) : memo.alloc(n);
          this.vector.calculators[id](v, n, out);
          entry = key === null ? { array: out, stamp: null } : memo.put(key, { array: out });
        }
        v[id] = entry.array;
        stamp[id] = entry.stamp;
        if (this.kept[id]) {
          this.kept[id].set(entry.array);
          this.stamps[id] = entry.stamp;
        }
      }
      var varying = [];
      var base = Object.create(null);
      var labelKey = [];
      this.direct = Object.create(null);
      for (i = 0; i < spec.conditions.length; i++) {
        id = spec.conditions[i];
        key = formulaKey("t", id, reads.conditions[id], stamp, n);
        entry = memo.get(key);
        if (!entry) {
          var truth = buffer("truth", n);
          this.vector.conditions[id](v, n, truth);
          var labels = key === null ? labelBuffer(id, n) : new Int8Array(n);
          var read = labelsOfTruth(truth, labels, n);
          entry = { labels: labels, same: read.same, first: read.first, direct: null, stamp: null };
          if (key !== null) memo.put(key, entry);
        }
        labelKey.push(entry.stamp);
        if (entry.same) base[id] = entry.first;
        else if (this.premises[id]) varying.push([id, entry.labels]);
        else if (entry.direct && this.counts[id]) { // countDirect's counts, kept
          this.counts[id] = entry.direct.slice();
          this.direct[id] = true;
        } else {
          this.countDirect(id, entry.labels, n);
          if (this.counts[id]) entry.direct = this.counts[id].slice();
        }
      }
      var assumed = Object.keys(spec.assumed);
      for (i = 0; i < assumed.length; i++) base[assumed[i]] = spec.assumed[assumed[i]];
      /* the labelling of the combinations: its counts kept under the plan and every label's key */
      var whole = labelKey.every(Boolean) ? "L|" + this.plan().stamp + "|" + n + "|" + labelKey.join(",") + "|" + JSON.stringify(base) : null;
      entry = memo.get(whole);
      var claims = spec.claims;
      var c;
      if (entry) {
        for (c = 0; c < claims.length; c++) if (!this.direct[claims[c]]) this.counts[claims[c]] = entry.counts[c].slice();
        this.combos += entry.combos;
      } else {
        var combos = this.combos;
        this.countLabels(base, varying, n);
        if (whole !== null) {
          var kept = [];
          for (c = 0; c < claims.length; c++) kept.push(this.counts[claims[c]].slice());
          memo.put(whole, { counts: kept, combos: this.combos - combos });
        }
      }
      this.done = n;
      return true;
    };

    /* Codes 0, 1, 2, ... in order of first appearance; returns how many there are. */
    function renumber(codes, n) {
      var seen = new Map();
      for (var s = 0; s < n; s++) {
        var known = seen.get(codes[s]);
        if (known === undefined) seen.set(codes[s], (known = seen.size));
        codes[s] = known;
      }
      return seen.size;
    }

    Run.prototype.result = function () {
      var out = { n: this.done, counts: this.counts, kept: this.kept, combos: this.combos };
      if (this.memo) out.stamps = this.stamps;
      return out;
    };

    /* Every block at once: how the worker runs a spec (with the worker's Memo). */
    function runAll(spec, vector, memo) {
      var run = new Run(spec, vector, undefined, memo);
      while (!run.step()) { /* next block */ }
      return run.result();
    }

    /* numpy.percentile's default (linear between closest ranks) of sorted values. */
    function quantileSorted(sorted, q) {
      var m = sorted.length;
      if (!m) return NaN;
      var h = (m - 1) * q;
      var lo = Math.floor(h);
      var hi = Math.min(lo + 1, m - 1);
      return sorted[lo] + (h - lo) * (sorted[hi] - sorted[lo]);
    }

    /* The defined values of an array, sorted. */
    function definedSorted(values) {
      var m = 0;
      var out = new Float64Array(values.length);
      for (var i = 0; i < values.length; i++) if (values[i] === values[i]) out[m++] = values[i];
      return out.subarray(0, m).sort();
    }

    return {
      Stream: Stream,
      Marginal: Marginal,
      Correlation: Correlation,
      correlationFor: correlationFor,
      Run: Run,
      Memo: Memo,
      runAll: runAll,
      ndtr: ndtr,
      ndtri: ndtri,
      rangeProblem: rangeProblem,
      physicalBounds: physicalBounds,
      quantileSorted: quantileSorted,
      definedSorted: definedSorted,
    };
  }

  /* ---- formulas of one shape share one loop ------------------------------------------------
   *
   * model.js has a loop per formula (engine/formula/to_js_vector.py):
   *   function(v,n,out){var a0=v["x"],a1=v["y"];for(var i=0;i<n;i++){...}}
   * and the browser compiles each loop to machine code only after it has run for a while: on a
   * map of hundreds of formulas the first run is mostly that compiling. Formulas that differ only
   * in the figures they read (a map's many `x > y` conditions) have the same loop text after the
   * head; vectorSource writes each such loop once, as a kernel taking the arrays as arguments,
   * and each formula as a call of its kernel. Same text, same arrays: the same numbers.
   */
  var VECTOR_HEAD = /^function\s*\(v,n,out\)\s*\{(?:var ((?:a\d+=v\["(?:[^"\\]|\\.)*"\],?)+);)?(for\(var i=0;i<n;i\+\+\)\{[\s\S]*\})\}$/;
  var VECTOR_READ = /a(\d+)=v\[("(?:[^"\\]|\\.)*")\]/g;

  /* Source text of {calculators, conditions} with shared kernels (an expression). */
  function vectorSource(vector) {
    var kernels = [];
    var known = Object.create(null);
    var names = { calculators: Object.create(null), conditions: Object.create(null) };
    function call(fn, id, group) {
      var text = fn.toString();
      var match = VECTOR_HEAD.exec(text);
      if (!match) return text; // another shape of loop: kept as it is, its inputs unknown
      var reads = [];
      var read;
      var inputs = [];
      VECTOR_READ.lastIndex = 0;
      while ((read = VECTOR_READ.exec(match[1] || "")) !== null) {
        if (Number(read[1]) !== reads.length) return text;
        reads.push("v[" + read[2] + "]");
        inputs.push(JSON.parse(read[2]));
      }
      names[group][id] = inputs; // all it reads: a Memo keys its result on them
      var params = reads.map(function (_, i) { return "a" + i; }).concat(["n", "out"]).join(",");
      var key = params + "|" + match[2];
      var k = known[key];
      if (k === undefined) {
        k = known[key] = kernels.length;
        kernels.push("function(" + params + "){" + match[2] + "}");
      }
      return "function(v,n,out){K[" + k + "](" + reads.concat(["n", "out"]).join(",") + ");}";
    }
    function group(map, name) {
      return "{" + Object.keys(map).map(function (id) { return JSON.stringify(id) + ":" + call(map[id], id, name); }).join(",\n") + "}";
    }
    var calculators = group(vector.calculators, "calculators");
    var conditions = group(vector.conditions, "conditions");
    return "(function () {\nvar K = [" + kernels.join(",\n") + "];\nreturn {calculators: " + calculators +
      ", conditions: " + conditions + ", kernels: K.length, reads: " + JSON.stringify(names) + "};\n})()";
  }

  /* The model's vector functions with shared kernels, made once per model on this page; the
   * model's own functions where the page may not compile text. */
  var shared = typeof WeakMap !== "undefined" ? new WeakMap() : null;
  function sharedVector(vector) {
    var made = shared && shared.get(vector);
    if (made) return made;
    try {
      made = new Function("return " + vectorSource(vector) + ";")();
    } catch (err) {
      made = vector;
    }
    if (shared) shared.set(vector, made);
    return made;
  }

  /* The worker: the runtime, the semantics and the factory as text, and the model's vector
   * functions as text. It answers {id, specs} with one {id, index, result, last} per spec, in
   * order (typed arrays transferred), and keeps its draws and formulas in a Memo from job to job.
   * Jobs run in the order they came, one spec per task: between two it reads its messages, and
   * {cancel: id} drops what is left of a job the page no longer wants. Each kept calculator comes
   * sorted, with its NaNs last (result.sorted, what the histograms read), sorted once per stamp,
   * and only when the page does not have those samples yet (`sent`): otherwise result.sorted[id]
   * is null and the page takes its copy (Runner.receive); result.kept is not sent at all. An edit
   * then moves the arrays of the calculators it reaches, not 2 x 12 x 20,000 numbers, and the
   * page's thread collects less garbage while the reader types. */
  function workerSource(model, runtimeSource, semanticsSource) {
    return [
      "\"use strict\";",
      "var self_ = self;",
      runtimeSource,
      semanticsSource,
      "var R = self_.CruxRuntime.R;",
      "var core = (" + factory.toString() + ")(R, self_.CruxSemantics.label, self_.CruxSemantics.Plan);",
      "var vector = " + vectorSource(model.vector) + ";",
      "var memo = new core.Memo();",
      "var sent = Object.create(null); // per kept calculator, the stamp of the sorted samples the page has",
      "var jobs = [];",
      "var ticking = false;",
      "var tick = new MessageChannel();",
      "function sortedOf(id, result) {",
      "  var stamp = result.stamps[id];",
      "  var entry = stamp ? memo.get('s|' + stamp) : undefined;",
      "  if (!entry) {",
      "    entry = {array: new Float64Array(result.kept[id]).sort()};",
      "    if (stamp) memo.put('s|' + stamp, entry);",
      "  }",
      "  return new Float64Array(entry.array);",
      "}",
      "function later() {",
      "  if (ticking || !jobs.length) return;",
      "  ticking = true;",
      "  tick.port2.postMessage(0);",
      "}",
      "function work() {",
      "  ticking = false;",
      "  var job = jobs[0];",
      "  if (!job) return;",
      "  var index = job.index++;",
      "  var last = job.index >= job.specs.length;",
      "  if (last) jobs.shift();",
      "  try {",
      "    var t0 = Date.now();",
      "    var result = core.runAll(job.specs[index], vector, memo);",
      "    result.ms = Date.now() - t0;",
      "    result.sorted = {};",
      "    var transfer = [], fresh = {};",
      "    Object.keys(result.kept).forEach(function (k) {",
      "      var stamp = result.stamps[k];",
      "      if (stamp && sent[k] === stamp) result.sorted[k] = null;",
      "      else {",
      "        result.sorted[k] = sortedOf(k, result);",
      "        transfer.push(result.sorted[k].buffer);",
      "        fresh[k] = stamp;",
      "      }",
      "      result.kept[k] = null;",
      "    });",
      "    self_.postMessage({id: job.id, index: index, last: last, result: result}, transfer);",
      "    Object.keys(fresh).forEach(function (k) { sent[k] = fresh[k]; }); // once the page has them",
      "  } catch (err) {",
      "    if (!last) jobs.shift();",
      "    self_.postMessage({id: job.id, index: index, last: true, error: String(err && err.message || err)});",
      "  }",
      "  later();",
      "}",
      "tick.port1.onmessage = work;",
      "self_.onmessage = function (event) {",
      "  var job = event.data;",
      "  if (job.cancel) {",
      "    jobs = jobs.filter(function (j) { return j.id !== job.cancel; });",
      "    return;",
      "  }",
      "  memo.startJob();",
      "  jobs.push({id: job.id, specs: job.specs || [job.spec], index: 0});",
      "  later();",
      "};",
    ].join("\n");
  }

  var runtime = root.CruxRuntime;
  var semantics = root.CruxSemantics;
  var api = {
    factory: factory,
    workerSource: workerSource,
    vectorSource: vectorSource,
    sharedVector: sharedVector,
    core: runtime && semantics ? factory(runtime.R, semantics.label, semantics.Plan) : null,
  };
  root.CruxUncertainty = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
