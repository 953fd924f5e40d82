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

  root.CruxSemantics = { label: label, HOLDS: 1, FAILS: -1, UNDECIDED: 0 };
  /* its own text, for the uncertainty worker (crux-uncertainty.js), which has no <script> tags */
  root.CruxSemantics.source = "(" + install.toString() + ")(self);";
})(typeof globalThis !== "undefined" ? globalThis : this);
