/* crux-semantics.js: grounded labelling of claims and arguments for one scenario.
 *
 * A scalar port of engine/semantics.py (rules in docs/semantics.md); tests/test_semantics_js.py
 * checks that both give identical labels. Labels: 1 holds (an argument applies), -1 fails
 * (does not apply), 0 undecided.
 *
 *   CruxSemantics.label(claims, args, fixed, tolerance)
 *     claims: ["c1", ...]
 *     args:   [{id, premises: [...], conclusion: "c1" | null, stance: "pro" | "con",
 *               weight: 1, undercuts: "a2" | null}, ...]
 *     fixed:  {claimId: 1 | -1 | 0}   claims decided outside the argument graph
 *     tolerance: engine.evaluation.semantics.TOLERANCE, which model.js carries as
 *               data.tolerance: one constant, so a tie labels the same here and in the engine
 *   returns {claims: {id: label}, arguments: {id: label}, rounds}
 *
 *   new CruxSemantics.Plan(claims, args, fixedIds, tolerance).label(values, m)
 *     the same labels for m samples at once, over typed arrays (see Plan below)
 */
(function install(root) {
  "use strict";

  function has(object, key) {
    return Object.prototype.hasOwnProperty.call(object, key);
  }

  function label(claims, args, fixed, tolerance) {
    // Sums of weights are compared with this relative tolerance so that 0.1 + 0.2 ties 0.3.
    if (typeof tolerance !== "number") throw new Error("label() needs the engine's tie tolerance");
    fixed = fixed || {};
    var claimLabel = {};
    var argLabel = {};
    var undercutters = {}; // argument id -> ids of the arguments undercutting it
    var pro = {}; // claim id -> pro arguments, in input order
    var con = {};
    var totalWeight = {};

    claims.forEach(function (c) {
      if (has(claimLabel, c)) throw new Error("duplicate claim id " + JSON.stringify(c));
      claimLabel[c] = has(fixed, c) ? fixed[c] : 0;
      pro[c] = [];
      con[c] = [];
      totalWeight[c] = 0;
    });
    Object.keys(fixed).forEach(function (c) {
      if (!has(claimLabel, c)) throw new Error("fixed: unknown claim id " + JSON.stringify(c));
    });
    args.forEach(function (a) {
      if (has(argLabel, a.id)) throw new Error("duplicate argument id " + JSON.stringify(a.id));
      argLabel[a.id] = 0;
      undercutters[a.id] = [];
    });
    args.forEach(function (a) {
      a.premises.forEach(function (p) {
        if (!has(claimLabel, p)) {
          throw new Error("argument " + a.id + " premise: unknown claim id " + JSON.stringify(p));
        }
      });
      if (a.undercuts !== null && a.undercuts !== undefined) {
        if (!has(argLabel, a.undercuts)) {
          throw new Error("argument " + a.id + " undercuts: unknown argument id " + a.undercuts);
        }
        undercutters[a.undercuts].push(a.id);
      }
      if (a.conclusion !== null && a.conclusion !== undefined) {
        if (!has(claimLabel, a.conclusion)) {
          throw new Error("argument " + a.id + " conclusion: unknown claim id " + a.conclusion);
        }
        var weight = a.weight === undefined ? 1 : a.weight;
        (a.stance === "pro" ? pro : con)[a.conclusion].push({ id: a.id, weight: weight });
        totalWeight[a.conclusion] += weight;
      }
    });

    // Rule 1: Kleene AND of the premises and of the negated undercutters.
    function applies(a) {
      var value = 1;
      a.premises.forEach(function (p) {
        value = Math.min(value, claimLabel[p]);
      });
      undercutters[a.id].forEach(function (u) {
        value = Math.min(value, 0 - argLabel[u]);
      });
      return value;
    }

    // Weight of the arguments that apply and of those that may apply, summed in input order.
    function weigh(list) {
      var surely = 0;
      var maybe = 0;
      list.forEach(function (item) {
        var value = argLabel[item.id];
        if (value === 1) surely += item.weight;
        if (value !== -1) maybe += item.weight;
      });
      return [surely, maybe];
    }

    // Rule 2.
    function decide(c) {
      var p = weigh(pro[c]);
      var k = weigh(con[c]);
      if (pro[c].length === 0) {
        if (k[1] === 0) return 1;
        return k[0] > 0 ? -1 : 0;
      }
      var tol = tolerance * Math.max(totalWeight[c], 1);
      if (p[0] > k[1] + tol) return 1;
      return p[1] <= k[0] + tol ? -1 : 0;
    }

    // Least fixed point: each round recomputes every argument from the previous labels, then
    // every claim from the new argument labels, until a round changes nothing.
    var limit = claims.length + args.length + 1;
    for (var rounds = 1; rounds <= limit; rounds++) {
      var changed = false;
      var nextArgs = {};
      args.forEach(function (a) {
        nextArgs[a.id] = applies(a);
        if (nextArgs[a.id] !== argLabel[a.id]) changed = true;
      });
      argLabel = nextArgs;
      var nextClaims = {};
      claims.forEach(function (c) {
        nextClaims[c] = has(fixed, c) ? fixed[c] : decide(c);
        if (nextClaims[c] !== claimLabel[c]) changed = true;
      });
      claimLabel = nextClaims;
      if (!changed) return { claims: claimLabel, arguments: argLabel, rounds: rounds };
    }
    throw new Error("labelling did not converge within " + limit + " rounds");
  }

  /* ---- the same labels for many samples at once --------------------------------------------
   *
   * Plan(claims, args, fixedIds, tolerance) is the map's structure for one set of fixed claims,
   * made once; plan.label(values, m) labels m samples at once (engine/evaluation/semantics.py's
   * vectorised labelling, written for typed arrays). Rows are claims, then arguments; the labels
   * of m samples are one Int8Array of rows * m cells, row r at r * m.
   *
   * The rules are monotone (a decided label never changes as more labels are decided), so the
   * least fixed point `label` reaches in rounds is also reached by one pass over the strongly
   * connected components of the dependency graph in topological order: a row outside a cycle is
   * computed once from final inputs, and a cycle is iterated from undecided until no sample
   * changes. Weights are summed in input order, as `label` sums them, so ties break alike.
   */
  function Plan(claims, args, fixedIds, tolerance) {
    if (typeof tolerance !== "number") throw new Error("Plan() needs the engine's tie tolerance");
    var nClaims = claims.length;
    var row = Object.create(null); // claim id -> row
    var argRow = Object.create(null); // argument id -> row
    var i, j, a;
    for (i = 0; i < nClaims; i++) {
      if (row[claims[i]] !== undefined) throw new Error("duplicate claim id " + JSON.stringify(claims[i]));
      row[claims[i]] = i;
    }
    for (j = 0; j < args.length; j++) {
      if (argRow[args[j].id] !== undefined) throw new Error("duplicate argument id " + JSON.stringify(args[j].id));
      argRow[args[j].id] = nClaims + j;
    }
    var nRows = nClaims + args.length;
    var fixedRows = new Int32Array(fixedIds.length);
    var isFixed = new Uint8Array(nRows);
    for (i = 0; i < fixedIds.length; i++) {
      var fr = row[fixedIds[i]];
      if (fr === undefined) throw new Error("fixed: unknown claim id " + JSON.stringify(fixedIds[i]));
      fixedRows[i] = fr;
      isFixed[fr] = 1;
    }
    /* terms[argument row]: [input row, sign] of its premises (+1) and undercutters (-1);
     * pro/con[claim row]: [argument row, weight], in input order; none for fixed claims */
    var terms = [];
    var pro = [];
    var con = [];
    var total = new Float64Array(nClaims);
    for (i = 0; i < nRows; i++) {
      terms.push([]);
      pro.push([]);
      con.push([]);
    }
    for (j = 0; j < args.length; j++) {
      a = args[j];
      var r = nClaims + j;
      for (i = 0; i < a.premises.length; i++) {
        var p = row[a.premises[i]];
        if (p === undefined) throw new Error("argument " + a.id + " premise: unknown claim id " + JSON.stringify(a.premises[i]));
        terms[r].push(p, 1);
      }
    }
    for (j = 0; j < args.length; j++) {
      a = args[j];
      if (a.undercuts !== null && a.undercuts !== undefined) {
        var target = argRow[a.undercuts];
        if (target === undefined) throw new Error("argument " + a.id + " undercuts: unknown argument id " + a.undercuts);
        terms[target].push(nClaims + j, -1);
      }
      if (a.conclusion !== null && a.conclusion !== undefined) {
        var c = row[a.conclusion];
        if (c === undefined) throw new Error("argument " + a.id + " conclusion: unknown claim id " + a.conclusion);
        var weight = a.weight === undefined ? 1 : a.weight;
        total[c] += weight;
        if (!isFixed[c]) (a.stance === "pro" ? pro : con)[c].push(nClaims + j, weight);
      }
    }
    /* inputs[r]: the rows r reads */
    var inputs = [];
    for (r = 0; r < nRows; r++) {
      var list = [];
      var t = r < nClaims ? pro[r].concat(con[r]) : terms[r];
      for (i = 0; i < t.length; i += 2) list.push(t[i]);
      inputs.push(list);
    }
    this.nClaims = nClaims;
    this.nRows = nRows;
    this.row = row;
    this.fixedRows = fixedRows;
    this.isFixed = isFixed;
    this.terms = terms;
    this.pro = pro;
    this.con = con;
    this.tolerance = new Float64Array(nClaims);
    for (i = 0; i < nClaims; i++) this.tolerance[i] = tolerance * Math.max(total[i], 1);
    /* A claim with few arguments: its label for every combination of their labels, worked out
     * here by the same sums in the same order (`decide`), so a sample costs one look-up. */
    this.support = [];
    this.table = [];
    for (i = 0; i < nClaims; i++) {
      var k = (pro[i].length + con[i].length) / 2;
      this.support.push(inputs[i]);
      this.table.push(!isFixed[i] && k <= TABLE_ARGUMENTS ? decisionTable(pro[i], con[i], this.tolerance[i]) : null);
    }
    this.steps = components(nRows, inputs, isFixed);
    this.scratch = null;
  }

  var TABLE_ARGUMENTS = 6; // 729 entries at most

  /* Rule 2 for each combination of the labels of a claim's pro arguments, then con arguments
   * (base-3 digits, label + 1, the first argument the most significant). */
  function decisionTable(pro, con, tol) {
    var np = pro.length / 2;
    var k = np + con.length / 2;
    var size = Math.pow(3, k);
    var table = new Int8Array(size);
    var labels = new Int8Array(k);
    for (var code = 0; code < size; code++) {
      var rest = code;
      for (var j = k - 1; j >= 0; j--) {
        labels[j] = (rest % 3) - 1;
        rest = (rest - (rest % 3)) / 3;
      }
      var proSure = 0, proMay = 0, conSure = 0, conMay = 0;
      for (j = 0; j < np; j++) {
        if (labels[j] === 1) proSure += pro[2 * j + 1];
        if (labels[j] !== -1) proMay += pro[2 * j + 1];
      }
      for (j = np; j < k; j++) {
        if (labels[j] === 1) conSure += con[2 * (j - np) + 1];
        if (labels[j] !== -1) conMay += con[2 * (j - np) + 1];
      }
      if (np === 0) table[code] = conMay === 0 ? 1 : conSure > 0 ? -1 : 0;
      else table[code] = proSure > conMay + tol ? 1 : proMay <= conSure + tol ? -1 : 0;
    }
    return table;
  }

  /* The strongly connected components of the graph of rows (an edge from each input to the row
   * that reads it), inputs first: [{rows: [..], cyclic}], fixed rows left out. Tarjan's
   * algorithm with an explicit stack, so that a long chain of arguments cannot overflow it. */
  function components(nRows, inputs, isFixed) {
    var index = new Int32Array(nRows).fill(-1);
    var low = new Int32Array(nRows);
    var onStack = new Uint8Array(nRows);
    var stack = [];
    var out = [];
    var counter = 0;
    var frames = []; // [row, next input position]
    for (var start = 0; start < nRows; start++) {
      if (index[start] >= 0) continue;
      frames.push(start, 0);
      index[start] = low[start] = counter++;
      stack.push(start);
      onStack[start] = 1;
      while (frames.length) {
        var top = frames.length - 2;
        var v = frames[top];
        var k = frames[top + 1];
        var ins = isFixed[v] ? [] : inputs[v];
        if (k < ins.length) {
          frames[top + 1] = k + 1;
          var w = ins[k];
          if (index[w] < 0) {
            index[w] = low[w] = counter++;
            stack.push(w);
            onStack[w] = 1;
            frames.push(w, 0);
          } else if (onStack[w] && index[w] < low[v]) {
            low[v] = index[w];
          }
          continue;
        }
        frames.length = top;
        if (frames.length) {
          var parent = frames[frames.length - 2];
          if (low[v] < low[parent]) low[parent] = low[v];
        }
        if (low[v] === index[v]) {
          var members = [];
          var x;
          do {
            x = stack.pop();
            onStack[x] = 0;
            members.push(x);
          } while (x !== v);
          /* Tarjan here follows edges from a row to its inputs, so a component is complete only
           * after every component it reads: the order of completion is the order to compute */
          if (isFixed[v]) continue;
          var cyclic = members.length > 1 || ins.indexOf(v) >= 0;
          members.sort(function (p, q) { return p - q; }); // claims before arguments, as the engine
          out.push({ rows: members, cyclic: cyclic });
        }
      }
    }
    return out;
  }

  /* Labels of m samples: `values` holds the fixed claims' labels, fixedIds' order, m cells each
   * (an Int8Array of fixedIds.length * m). Returns an Int8Array of nRows * m (see above). */
  Plan.prototype.label = function (values, m, out) {
    var size = this.nRows * m;
    var L = out && out.length >= size ? out : new Int8Array(size);
    var i, r;
    for (i = 0; i < this.fixedRows.length; i++) {
      L.set(values.subarray(i * m, (i + 1) * m), this.fixedRows[i] * m);
    }
    var scratch = this.scratch;
    if (!scratch || scratch[4].length !== m) {
      scratch = this.scratch = [new Float64Array(m), new Float64Array(m), new Float64Array(m), new Float64Array(m), new Int8Array(m), new Int32Array(m)];
    }
    var steps = this.steps;
    for (var k = 0; k < steps.length; k++) {
      var rows = steps[k].rows;
      if (!steps[k].cyclic) {
        this.apply(rows[0], L, m, scratch);
        continue;
      }
      for (i = 0; i < rows.length; i++) L.fill(0, rows[i] * m, (rows[i] + 1) * m);
      var before = new Int8Array(rows.length * m);
      var settled = false;
      for (var round = 0; round <= rows.length && !settled; round++) {
        for (i = 0; i < rows.length; i++) before.set(L.subarray(rows[i] * m, (rows[i] + 1) * m), i * m);
        /* arguments first, then claims from the new argument labels, as in `label` */
        for (i = 0; i < rows.length; i++) if (rows[i] >= this.nClaims) this.apply(rows[i], L, m, scratch);
        for (i = 0; i < rows.length; i++) if (rows[i] < this.nClaims) this.apply(rows[i], L, m, scratch);
        settled = true;
        for (i = 0; i < rows.length && settled; i++) {
          r = rows[i] * m;
          for (var s = 0; s < m; s++) {
            if (L[r + s] !== before[i * m + s]) { settled = false; break; }
          }
        }
      }
      if (!settled) throw new Error("labelling of a cycle did not converge");
    }
    return L;
  };

  /* One row's labels in every sample from its inputs' (rule 1 for an argument, 2 for a claim). */
  Plan.prototype.apply = function (r, L, m, scratch) {
    var off = r * m;
    var s, i, v, t;
    if (r >= this.nClaims) {
      /* into a scratch row first: an argument may undercut itself, and reads its old label */
      var acc = scratch[4];
      t = this.terms[r];
      if (t.length === 2 && t[1] > 0) { // one premise, no undercutter: its label
        L.copyWithin(off, t[0] * m, t[0] * m + m);
        return;
      }
      acc.fill(1);
      for (i = 0; i < t.length; i += 2) {
        var from = t[i] * m;
        if (t[i + 1] > 0) {
          for (s = 0; s < m; s++) { v = L[from + s]; if (v < acc[s]) acc[s] = v; }
        } else {
          for (s = 0; s < m; s++) { v = -L[from + s]; if (v < acc[s]) acc[s] = v; }
        }
      }
      L.set(acc, off);
      return;
    }
    var table = this.table[r];
    if (table) {
      var support = this.support[r];
      if (support.length === 0) {
        L.fill(table[0], off, off + m);
      } else if (support.length === 1) {
        var only = support[0] * m;
        for (s = 0; s < m; s++) L[off + s] = table[L[only + s] + 1];
      } else {
        var code = scratch[5];
        var first = support[0] * m;
        for (s = 0; s < m; s++) code[s] = L[first + s] + 1;
        for (i = 1; i < support.length; i++) {
          var next = support[i] * m;
          for (s = 0; s < m; s++) code[s] = code[s] * 3 + L[next + s] + 1;
        }
        for (s = 0; s < m; s++) L[off + s] = table[code[s]];
      }
      return;
    }
    var proSure = scratch[0], proMay = scratch[1], conSure = scratch[2], conMay = scratch[3];
    var pro = this.pro[r];
    var con = this.con[r];
    weigh(con, L, m, conSure, conMay);
    if (pro.length === 0) {
      for (s = 0; s < m; s++) L[off + s] = conMay[s] === 0 ? 1 : conSure[s] > 0 ? -1 : 0;
      return;
    }
    weigh(pro, L, m, proSure, proMay);
    var tol = this.tolerance[r];
    for (s = 0; s < m; s++) {
      L[off + s] = proSure[s] > conMay[s] + tol ? 1 : proMay[s] <= conSure[s] + tol ? -1 : 0;
    }
  };

  /* Per sample: the weight of the listed arguments that apply, and of those that may. */
  function weigh(list, L, m, sure, may) {
    sure.fill(0);
    may.fill(0);
    for (var i = 0; i < list.length; i += 2) {
      var from = list[i] * m;
      var w = list[i + 1];
      for (var s = 0; s < m; s++) {
        var v = L[from + s];
        if (v === 1) sure[s] += w;
        if (v !== -1) may[s] += w;
      }
    }
  }

  root.CruxSemantics = { label: label, Plan: Plan, HOLDS: 1, FAILS: -1, UNDECIDED: 0 };
  /* its own text, for the uncertainty worker (crux-uncertainty.js), which has no <script> tags */
  root.CruxSemantics.source = "(" + install.toString() + ")(self);";
})(typeof globalThis !== "undefined" ? globalThis : this);
