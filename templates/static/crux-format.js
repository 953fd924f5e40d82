/* crux-format.js: numbers and labels written exactly as the build writes them.
 *
 * A port of engine/formatting.py (format_number: four significant digits below 1,000, whole
 * numbers of at most six significant digits from 1,000 on, ties to even, thousands
 * separators; f"{x:g}" for argument weights) and of the label texts the templates write
 * ("✔ holds", "✔ applies"), so what the what-if panel writes is what the build wrote.
 * No DOM, no dependencies; sets CruxFormat. Plain ES2017. See docs/whatif.md.
 */
(function (root) {
  "use strict";

  var SYMBOLS = { holds: "\u2714", fails: "\u2718", undecided: "?" };
  var ARGUMENT_STATES = { holds: "applies", fails: "does not apply", undecided: "undecided" };

  /* ---- numbers, written exactly as engine/formatting.py writes them -------------------- */

  /* Decimal digits of |x| (x finite, non-zero): |x| = d[0].d[1..] x 10^e. toPrecision is
   * exact to 100 digits, enough to see every rounding tie of a float64 at 4 or 6 digits. */
  function digitsOf(x) {
    var text = Math.abs(x).toPrecision(100);
    var exponent = 0;
    var at = text.indexOf("e");
    if (at >= 0) {
      exponent = parseInt(text.slice(at + 1), 10);
      text = text.slice(0, at);
    }
    var dot = text.indexOf(".");
    var whole = dot >= 0 ? text.slice(0, dot) : text;
    var all = whole + (dot >= 0 ? text.slice(dot + 1) : "");
    var lead = 0;
    while (lead < all.length - 1 && all.charAt(lead) === "0") lead++;
    return { d: all.slice(lead), e: whole.length - 1 + exponent - lead };
  }

  /* Round to n >= 1 significant digits, ties to even (as Python's formatting does). */
  function roundDigits(p, n) {
    var head = p.d.slice(0, n);
    while (head.length < n) head += "0";
    var rest = p.d.slice(n);
    var first = rest.charAt(0) || "0";
    var up = first > "5" || (first === "5" && (/[1-9]/.test(rest.slice(1)) || "13579".indexOf(head.charAt(n - 1)) >= 0));
    if (!up) return { d: head, e: p.e };
    var chars = head.split("");
    var i = n - 1;
    while (i >= 0 && chars[i] === "9") chars[i--] = "0";
    if (i < 0) return { d: "1" + chars.join("").slice(0, n - 1), e: p.e + 1 };
    chars[i] = String.fromCharCode(chars[i].charCodeAt(0) + 1);
    return { d: chars.join(""), e: p.e };
  }

  /* Python's f"{x:.{k}f}" for |x| >= 1e-4 (callers guarantee at least one kept digit). */
  function fixed(x, k) {
    var p = digitsOf(x);
    var n = p.e + 1 + k;
    var r = roundDigits(p, Math.max(n, 1));
    var digits = r.d;
    if (r.e > p.e) digits += "0"; // a carry (9.99 -> 10.0) adds an integer digit
    var ints = r.e + 1;
    var text;
    if (ints <= 0) text = "0." + new Array(1 - ints).join("0") + digits;
    else text = digits.slice(0, ints) + (k > 0 ? "." + digits.slice(ints, ints + k) : "");
    return (x < 0 ? "-" : "") + text;
  }

  /* Python's f"{x:.{k}e}". */
  function exponential(x, k) {
    var r = roundDigits(digitsOf(x), k + 1);
    var e = Math.abs(r.e);
    var mantissa = r.d.charAt(0) + (k > 0 ? "." + r.d.slice(1) : "");
    return (x < 0 ? "-" : "") + mantissa + "e" + (r.e < 0 ? "-" : "+") + (e < 10 ? "0" : "") + e;
  }

  function groupThousands(digits) {
    return digits.replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  /* engine.formatting.format_number */
  function formatNumber(value) {
    if (value === null || value !== value) return "undefined";
    if (value === Infinity) return "\u221e";
    if (value === -Infinity) return "\u2212\u221e";
    if (value === 0) return "0";
    var size = Math.abs(value);
    var magnitude = Math.floor(Math.log10(size));
    if (size >= 1e15 || size < 1e-4) return exponential(value, 3);
    if (magnitude >= 3) {
      var p = digitsOf(value);
      /* A whole number, at most six significant digits (LARGE_NUMBER_DIGITS). */
      var r = roundDigits(p, Math.min(p.e + 1, 6));
      var ints = r.d + new Array(Math.max(r.e + 2 - r.d.length, 0)).join("0");
      return (value < 0 ? "-" : "") + groupThousands(ints);
    }
    var text = fixed(value, 3 - magnitude);
    return text.indexOf(".") >= 0 ? text.replace(/0+$/, "").replace(/\.$/, "") : text;
  }

  /* Python's f"{x:g}" (six significant digits), for argument weights. */
  function formatG(value) {
    if (value === 0) return "0";
    var r = roundDigits(digitsOf(value), 6);
    var text;
    if (r.e >= -4 && r.e < 6) {
      text = fixed(value, 5 - r.e);
      if (text.indexOf(".") >= 0) text = text.replace(/0+$/, "").replace(/\.$/, "");
      return text;
    }
    text = exponential(value, 5);
    return text.replace(/\.?0+e/, "e");
  }

  /* engine/formatting.py _EXTENTS: units that measure how far or how long, where +inf (a
   * break-even point never reached) reads "never". Kept equal to Python's by a test. */
  var EXTENTS = [
    "m", "km", "cm", "mm", "meter", "metre", "kilometer", "kilometre", "mile", "mi",
    "ft", "foot", "yard", "nmi", "AU", "ly", "light_year",
    "s", "second", "min", "minute", "h", "hour", "day", "d", "week", "month", "year",
    "yr", "a", "decade", "century"
  ];

  /* engine.formatting.format_quantity */
  function formatQuantity(value, unit) {
    if (value === Infinity && unit && EXTENTS.indexOf(String(unit).trim()) >= 0) return "never";
    var number = formatNumber(value);
    if (!unit || unit === "dimensionless" || unit === "1" || number === "undefined") return number;
    return number + " " + unit;
  }

  function formatSetting(value, unit) {
    return typeof value === "string" ? value : formatQuantity(value, unit);
  }

  /* engine/formatting.py format_label: a claim that holds by presumption reads "○ presumed". */
  function formatLabel(label, basis) {
    if (basis === "presumption" && label === "holds") return "\u25cb presumed";
    return (SYMBOLS[label] ? SYMBOLS[label] + " " : "") + label;
  }

  var api = {
    formatNumber: formatNumber,
    formatG: formatG,
    formatQuantity: formatQuantity,
    formatSetting: formatSetting,
    formatLabel: formatLabel,
    EXTENTS: EXTENTS,
    SYMBOLS: SYMBOLS,
    ARGUMENT_STATES: ARGUMENT_STATES,
  };
  root.CruxFormat = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
