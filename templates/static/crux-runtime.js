/* crux runtime: numeric helpers for formulas compiled by engine/compile_js.py.
 *
 * Semantics match engine/compile_numpy.py exactly: undefined results (x/0, log of a
 * non-positive number, sqrt of a negative one, non-integer powers of negative numbers,
 * overflow to ±Infinity) are NaN; booleans are 1 / 0 / NaN with Kleene logic; a comparison
 * with a NaN side is NaN; an if-expression with a NaN condition is NaN.
 * Generated code reads symbol values as v["name"] and calls helpers on R = CruxRuntime.R.
 */
(function install(root) {
  "use strict";

  function isnan(x) {
    return x !== x;
  }

  function fin(x) {
    return x === Infinity || x === -Infinity ? NaN : x;
  }

  function truthy(x) {
    return x !== 0 && x === x;
  }

  function relation(test) {
    return function (a, b) {
      if (isnan(a) || isnan(b)) return NaN;
      return test(a, b) ? 1 : 0;
    };
  }

  function fold(step) {
    return function () {
      var result = arguments[0];
      for (var i = 1; i < arguments.length; i++) result = step(result, arguments[i]);
      return result;
    };
  }

  var R = {
    fin: fin,
    div: function (a, b) {
      return fin(a / b);
    },
    /* constant exponent k: 0.5 is sqrt (correctly rounded), 0 gives 1 except for NaN */
    pow: function (b, k) {
      if (k === 0.5) return Math.sqrt(b);
      if (k === 0) return isnan(b) ? NaN : 1;
      return fin(Math.pow(b, k));
    },
    /* computed exponent */
    powv: function (b, e) {
      if (isnan(b) || isnan(e)) return NaN;
      return fin(Math.pow(b, e));
    },
    sqrt: function (x) {
      return Math.sqrt(x);
    },
    exp: function (x) {
      return fin(Math.exp(x));
    },
    log: function (x) {
      return fin(Math.log(x));
    },
    abs: function (x) {
      return Math.abs(x);
    },
    min: fold(function (a, b) {
      return Math.min(a, b);
    }),
    max: fold(function (a, b) {
      return Math.max(a, b);
    }),
    lt: relation(function (a, b) { return a < b; }),
    le: relation(function (a, b) { return a <= b; }),
    gt: relation(function (a, b) { return a > b; }),
    ge: relation(function (a, b) { return a >= b; }),
    eq: relation(function (a, b) { return a === b; }),
    ne: relation(function (a, b) { return a !== b; }),
    and: fold(function (a, b) {
      if (a === 0 || b === 0) return 0;
      return isnan(a) || isnan(b) ? NaN : 1;
    }),
    or: fold(function (a, b) {
      if (truthy(a) || truthy(b)) return 1;
      return isnan(a) || isnan(b) ? NaN : 0;
    }),
    not: function (a) {
      if (isnan(a)) return NaN;
      return a === 0 ? 1 : 0;
    },
    /* For formulas that may be infinite on purpose (never, crossing): IEEE arithmetic, but
     * x/0, 0**-k and log(0) stay undefined. Mirrors to_numpy._Unbounded. */
    idiv: function (a, b) {
      return b === 0 ? NaN : a / b;
    },
    ipow: function (b, k) {
      if (k === 0.5) return Math.sqrt(b);
      if (k === 0) return isnan(b) ? NaN : 1;
      if (k < 0 && b === 0) return NaN;
      return Math.pow(b, k);
    },
    ilog: function (x) {
      return x === 0 ? NaN : Math.log(x);
    },
    ifelse: function (c, a, b) {
      if (isnan(c)) return NaN;
      return c !== 0 ? a : b;
    },
  };

  var api = root.CruxRuntime || {};
  api.R = R;
  root.CruxRuntime = api;
  /* its own text, for the uncertainty worker (crux-uncertainty.js), which has no <script> tags */
  root.CruxRuntime.source = "(" + install.toString() + ")(self);";
})(typeof globalThis !== "undefined" ? globalThis : this);
