/* crux what-if panel: re-evaluates every claim in the browser as the reader edits figures.
 *
 * Needs, loaded before it: crux-runtime.js (helpers of the compiled formulas), model.js
 * (CruxModel: the knowledge base, formulas compiled by engine/compile_js.py from the engine's
 * own sympy trees) and crux-semantics.js (the labelling semantics, the one JS port of
 * engine/semantics.py). Nothing here knows any formula or re-implements the semantics; it
 * ports only engine/formatting.py and engine/explain.py's one-line summaries, so the text it
 * writes is the text the build wrote. Plain ES2017, no dependencies. See docs/whatif.md.
 */
(function (root) {
  "use strict";

  var LABELS = { "1": "holds", "-1": "fails", "0": "undecided" };
  var SYMBOLS = { holds: "\u2714", fails: "\u2718", undecided: "?" };
  var ARGUMENT_STATES = { holds: "applies", fails: "does not apply", undecided: "undecided" };
  /* Diagram colours: engine/site/diagram.py LABEL_STYLE (fill, border, dash pattern). */
  var NODE_STYLE = {
    holds: ["#d7f0dd", "#1c6e33", null],
    fails: ["#f7d4d0", "#a1261b", "5,2"],
    undecided: ["#fbefc4", "#7a5d00", "1,5"],
  };

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
    if (value === -Infinity) return "-\u221e";
    if (value === 0) return "0";
    var size = Math.abs(value);
    var magnitude = Math.floor(Math.log10(size));
    if (size >= 1e15 || size < 1e-4) return exponential(value, 3);
    if (magnitude >= 3) {
      var p = digitsOf(value);
      var r = roundDigits(p, Math.max(p.e + 1 - (magnitude - 3), 1));
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

  function formatQuantity(value, unit) {
    var number = formatNumber(value);
    if (!unit || unit === "dimensionless" || unit === "1" || number === "undefined") return number;
    return number + " " + unit;
  }

  function formatSetting(value, unit) {
    return typeof value === "string" ? value : formatQuantity(value, unit);
  }

  function formatLabel(label) {
    return (SYMBOLS[label] ? SYMBOLS[label] + " " : "") + label;
  }

  /* ---- evaluation -------------------------------------------------------------------- */

  function Engine(model, semantics) {
    this.model = model;
    this.data = model.data;
    this.semantics = semantics;
    var data = this.data;
    this.figureIds = Object.keys(data.figures).sort();
    this.claimIds = Object.keys(data.claims).sort();
    this.argumentIds = Object.keys(data.arguments).sort();
    this.conditionIds = Object.keys(model.conditions).sort();
    this.byConclusion = {};
    for (var i = 0; i < this.argumentIds.length; i++) {
      var id = this.argumentIds[i];
      var conclusion = data.arguments[id].conclusion;
      if (conclusion !== null) (this.byConclusion[conclusion] = this.byConclusion[conclusion] || []).push(id);
    }
    /* the argument list of crux-semantics.js, in the engine's order (sorted ids) */
    this.argumentSpecs = this.argumentIds.map(function (aid) {
      var a = data.arguments[aid];
      return { id: aid, premises: a.premises, conclusion: a.conclusion, stance: a.stance, weight: a.weight, undercuts: a.undercuts };
    });
  }

  /* The settings of a scenario (a KB scenario id or "defaults"): every figure's value as an
   * author writes it, plus the scenario's assumptions. */
  Engine.prototype.scenario = function (name) {
    var settings = {};
    var figures = this.data.figures;
    for (var i = 0; i < this.figureIds.length; i++) settings[this.figureIds[i]] = figures[this.figureIds[i]].value;
    var assumptions = {};
    var scenario = this.data.scenarios[name];
    if (scenario) {
      Object.keys(scenario.set).forEach(function (fid) { settings[fid] = scenario.set[fid]; });
      Object.keys(scenario.assume).forEach(function (cid) { assumptions[cid] = scenario.assume[cid]; });
    }
    return { settings: settings, assumptions: assumptions };
  };

  Engine.prototype.numeric = function (fid, setting) {
    var figure = this.data.figures[fid];
    if (figure.kind === "choice") return figure.choices.indexOf(String(setting));
    if (typeof setting === "boolean") return setting ? 1 : 0;
    return Number(setting);
  };

  /* Evaluate full settings ({figure: value}) and assumptions ({claim: bool}). */
  Engine.prototype.run = function (settings, assumptions) {
    var model = this.model;
    var v = {};
    var i, id;
    for (i = 0; i < this.figureIds.length; i++) {
      id = this.figureIds[i];
      v[id] = this.numeric(id, settings[id]);
    }
    var calculators = {};
    var order = this.data.calculator_order;
    for (i = 0; i < order.length; i++) {
      id = order[i];
      calculators[id] = v[id] = model.calculators[id](v);
    }
    var conditions = {};
    var fixed = {};
    for (i = 0; i < this.conditionIds.length; i++) {
      id = this.conditionIds[i];
      var truth = (conditions[id] = model.conditions[id](v));
      fixed[id] = truth === 1 ? 1 : truth === 0 ? -1 : 0;
    }
    for (i = 0; i < this.claimIds.length; i++) {
      id = this.claimIds[i];
      var assumed = this.data.claims[id].assumed;
      if (assumed !== null && !(id in fixed)) fixed[id] = assumed ? 1 : -1;
    }
    Object.keys(assumptions).forEach(function (cid) { fixed[cid] = assumptions[cid] ? 1 : -1; });
    var labelled = this.semantics.label(this.claimIds, this.argumentSpecs, fixed);
    return {
      settings: settings,
      assumptions: assumptions,
      values: v,
      calculators: calculators,
      conditions: conditions,
      fixed: fixed,
      claims: named(labelled.claims),
      arguments: named(labelled.arguments),
    };
  };

  function named(numbers) {
    var out = {};
    Object.keys(numbers).forEach(function (id) { out[id] = LABELS[numbers[id]]; });
    return out;
  }

  /* ---- explanations: engine/explain.py claim_summary and substitute -------------------- */

  Engine.prototype.valueText = function (result, qid) {
    var figure = this.data.figures[qid];
    if (figure) {
      var setting = result.settings[qid];
      if (figure.kind === "choice") return "'" + setting + "'";
      return formatSetting(Number(setting), figure.unit);
    }
    return formatQuantity(result.calculators[qid], this.data.calculators[qid].unit);
  };

  /* A figure's setting or a calculator's value as the page writes it; null if unknown. */
  Engine.prototype.quantityText = function (result, qid) {
    var figure = this.data.figures[qid];
    if (figure) {
      var setting = result.settings[qid];
      return formatSetting(figure.kind === "choice" ? String(setting) : Number(setting), figure.unit);
    }
    if (qid in result.calculators) return formatQuantity(result.calculators[qid], this.data.calculators[qid].unit);
    return null;
  };

  Engine.prototype.substitute = function (result, text, parts) {
    if (!parts) return text;
    var out = "";
    for (var i = 0; i < parts.length; i++) out += i % 2 ? this.valueText(result, parts[i]) : parts[i];
    return out.split(/\s+/).filter(Boolean).join(" ");
  };

  /* engine.semantics.explain_claim, read off the labels. */
  Engine.prototype.reason = function (result, cid) {
    var data = this.data;
    var value = result.claims[cid];
    var pro = [];
    var con = [];
    (this.byConclusion[cid] || []).forEach(function (aid) {
      var a = data.arguments[aid];
      (a.stance === "pro" ? pro : con).push({ id: aid, label: result.arguments[aid], weight: a.weight });
    });
    function weigh(items, labels) {
      return items.reduce(function (sum, s) { return labels.indexOf(s.label) >= 0 ? sum + s.weight : sum; }, 0);
    }
    function ids(items, wanted) {
      return items.filter(function (s) { return s.label === wanted; }).map(function (s) { return s.id; });
    }
    var r = {
      pro_min: weigh(pro, ["holds"]), pro_max: weigh(pro, ["holds", "undecided"]),
      con_min: weigh(con, ["holds"]), con_max: weigh(con, ["holds", "undecided"]),
    };
    if (cid in result.fixed) { r.rule = "fixed"; r.decisive = []; }
    else if (!pro.length) {
      r.rule = { holds: "presumed", fails: "defeated", undecided: "contested" }[value];
      r.decisive = ids(con, { holds: "fails", fails: "holds", undecided: "undecided" }[value]);
    } else if (value === "holds") { r.rule = "supported"; r.decisive = ids(pro, "holds"); }
    else if (value === "fails" && r.pro_max === 0) { r.rule = "unsupported"; r.decisive = pro.map(function (s) { return s.id; }); }
    else if (value === "fails") { r.rule = "outweighed"; r.decisive = ids(con, "holds"); }
    else { r.rule = "unresolved"; r.decisive = ids(pro, "undecided").concat(ids(con, "undecided")); }
    return r;
  };

  Engine.prototype.summary = function (result, cid) {
    var label = result.claims[cid];
    if (Object.prototype.hasOwnProperty.call(result.assumptions, cid)) {
      return "Assumed in this scenario: the claim " + (result.assumptions[cid] ? "holds" : "fails") + ".";
    }
    var claim = this.data.claims[cid];
    if (claim.holds_when !== null) {
      var truth = result.conditions[cid];
      var state = truth === 1 ? "true" : truth === 0 ? "false" : "undefined";
      return "Decided by the numbers: " + claim.holds_when + " is " + state + " (" +
        this.substitute(result, claim.holds_when, claim.parts) + ").";
    }
    if (claim.assumed !== null) {
      return "Taken as " + (claim.assumed ? "holding" : "failing") + " by the knowledge base (an assumption).";
    }
    var r = this.reason(result, cid);
    var args = this.data.arguments;
    var names = r.decisive.map(function (id) { return args[id].name; }).join("; ") || "none";
    switch (r.rule) {
      case "presumed": return "Stated and unchallenged: no attack on it applies.";
      case "defeated": return "Presumed, but defeated by an attack that applies (" + names + ").";
      case "contested": return "Presumed, but an attack might apply (" + names + "), so it is undecided.";
      case "supported": return "Its supporting arguments (" + names + ") outweigh every attack that might apply " +
        "(pro " + formatG(r.pro_min) + " > con " + formatG(r.con_max) + ").";
      case "unsupported": return "None of its supporting arguments applies.";
      case "outweighed": return "Attacks that apply (" + names + ") weigh at least as much as its support " +
        "(con " + formatG(r.con_min) + " \u2265 pro " + formatG(r.pro_max) + ").";
      case "unresolved": return "Neither side surely wins while these are undecided: " + names + ".";
      default: return "The claim " + label + ".";
    }
  };

  /* ---- panel state: scenario + overrides, and the URL that carries it ------------------- */

  var NUMBER_TEXT = /^[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?$/;

  /* Why `text` cannot be a value of the figure, or null; `out.value` gets the parsed value. */
  function checkInput(figure, text, out) {
    if (figure.kind === "choice") {
      if (figure.choices.indexOf(text) < 0) return "Expected one of " + figure.choices.join(", ") + ".";
      out.value = text;
      return null;
    }
    var trimmed = String(text).trim().replace(/_/g, "");
    if (figure.kind === "switch") {
      if (trimmed === "0" || trimmed === "1") { out.value = Number(trimmed); return null; }
      return "Expected 0 or 1.";
    }
    if (trimmed === "") return "Enter a number.";
    if (!NUMBER_TEXT.test(trimmed)) return "Not a number: write digits with a decimal point, e.g. 2.5 or 1e6.";
    var value = Number(trimmed);
    var unit = figure.unit === "dimensionless" ? "" : " " + figure.unit;
    if (!isFinite(value) || Math.abs(value) > figure.absurd) {
      return "Too large: at most " + formatNumber(figure.absurd) + unit + " in size.";
    }
    if (figure.minimum !== null && value < figure.minimum) {
      return "Must be at least " + formatNumber(figure.minimum) + unit + ".";
    }
    if (figure.maximum !== null && value > figure.maximum) {
      return "Must be at most " + formatNumber(figure.maximum) + unit + ".";
    }
    out.value = value;
    return null;
  }

  /* A number as people and YAML read it: shortest round-trip text, with a point in the mantissa
   * so YAML 1.1 loaders (PyYAML) read 1.0e-07 as a float, not a string. */
  function numberText(value) {
    var text = String(value);
    if (text.indexOf("e") >= 0 && text.indexOf(".") < 0) text = text.replace("e", ".0e");
    return text;
  }

  function settingText(figure, value) {
    if (figure.kind === "choice") return String(value);
    if (figure.kind === "switch") return value ? "1" : "0";
    return numberText(value);
  }

  function sameSetting(a, b) {
    return String(a) === String(b) || (typeof a !== "string" && Number(a) === Number(b));
  }

  /* State <-> query string: ?scenario=x&figure=value&assume.claim=true (sorted, readable). */
  function parseQuery(engine, search, base) {
    var params = new URLSearchParams(search);
    if (!Array.from(params.keys()).length) return copyState(base);
    var state = { scenario: base.scenario, set: {}, assume: {}, problems: {} };
    var data = engine.data;
    params.forEach(function (raw, key) {
      if (key === "scenario") {
        if (raw === data.defaults || data.scenarios[raw]) state.scenario = raw;
        else state.problems.scenario = "Unknown scenario '" + raw + "' in the link.";
      } else if (key.slice(0, 7) === "assume.") {
        var cid = key.slice(7);
        if (!data.claims[cid]) state.problems[key] = "Unknown claim '" + cid + "' in the link.";
        else if (raw === "true" || raw === "false") state.assume[cid] = raw === "true";
        else state.problems[key] = "Expected true or false, found '" + raw + "'.";
      } else if (data.figures[key]) {
        var out = {};
        var why = checkInput(data.figures[key], raw, out);
        if (why === null) state.set[key] = out.value;
        else state.problems[key] = why + " (from the link: '" + raw + "')";
      } else {
        state.problems[key] = "Unknown setting '" + key + "' in the link was ignored.";
      }
    });
    return state;
  }

  function writeQuery(engine, state, base) {
    var parts = [];
    if (!differences(state, base).length) return "";
    if (state.scenario !== base.scenario) parts.push("scenario=" + encodeURIComponent(state.scenario));
    Object.keys(state.set).sort().forEach(function (fid) {
      parts.push(fid + "=" + encodeURIComponent(settingText(engine.data.figures[fid], state.set[fid])));
    });
    Object.keys(state.assume).sort().forEach(function (cid) {
      parts.push("assume." + cid + "=" + (state.assume[cid] ? "true" : "false"));
    });
    return parts.length ? "?" + parts.join("&") : "";
  }

  function copyState(state) {
    return {
      scenario: state.scenario,
      set: Object.assign({}, state.set),
      assume: Object.assign({}, state.assume),
      problems: {},
    };
  }

  /* What differs between two states: "scenario", figure ids and "assume.<claim>" names. */
  function differences(state, base) {
    var names = [];
    if (state.scenario !== base.scenario) names.push("scenario");
    sortedUnique(Object.keys(state.set).concat(Object.keys(base.set))).forEach(function (fid) {
      if (!(fid in state.set && fid in base.set && sameSetting(state.set[fid], base.set[fid]))) names.push(fid);
    });
    sortedUnique(Object.keys(state.assume).concat(Object.keys(base.assume))).forEach(function (cid) {
      if (state.assume[cid] !== base.assume[cid]) names.push("assume." + cid);
    });
    return names;
  }

  function sortedUnique(items) {
    var seen = {};
    return items.filter(function (x) { return seen[x] ? false : (seen[x] = true); }).sort();
  }

  /* The settings and assumptions a state means. */
  function resolve(engine, state) {
    var base = engine.scenario(state.scenario);
    Object.keys(state.set).forEach(function (fid) { base.settings[fid] = state.set[fid]; });
    Object.keys(state.assume).forEach(function (cid) { base.assumptions[cid] = state.assume[cid]; });
    return base;
  }

  var YAML_PLAIN_KEY = /^[a-z][a-z0-9_]*$/;
  var YAML_RESERVED = /^(true|false|null|yes|no|on|off|y|n)$/;

  function yamlKey(key) {
    return YAML_PLAIN_KEY.test(key) && !YAML_RESERVED.test(key) ? key : JSON.stringify(key);
  }

  /* A scenario file `crux eval --scenario file.yaml` reads (engine/scenario.py). */
  function scenarioYaml(engine, state) {
    var data = engine.data;
    var picked = data.scenarios[state.scenario];
    var label = "What-if on " + (picked ? picked.label : "the figures' own values");
    var lines = ["# A scenario written by the crux what-if panel.", "# Evaluate it with: crux eval --scenario this-file.yaml", "label: " + JSON.stringify(label)];
    if (picked) lines.push("extends: " + yamlKey(state.scenario));
    var fids = Object.keys(state.set).sort();
    if (fids.length) {
      lines.push("set:");
      fids.forEach(function (fid) {
        var figure = data.figures[fid];
        var text = settingText(figure, state.set[fid]);
        lines.push("  " + yamlKey(fid) + ": " + (figure.kind === "choice" ? JSON.stringify(text) : text));
      });
    }
    var cids = Object.keys(state.assume).sort();
    if (cids.length) {
      lines.push("assume:");
      cids.forEach(function (cid) { lines.push("  " + yamlKey(cid) + ": " + (state.assume[cid] ? "true" : "false")); });
    }
    return lines.join("\n") + "\n";
  }

  /* ---- the panel ---------------------------------------------------------------------- */

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(child); });
    return node;
  }

  function words(id) {
    return id.replace(/_/g, " ");
  }

  function Panel(container, engine) {
    this.container = container;
    this.engine = engine;
    this.data = engine.data;
    /* the state the page was built with: a KB scenario, or one with the build's overrides */
    var name = container.getAttribute("data-scenario") || this.data.defaults;
    var build = (this.data.builds || {})[name];
    if (build) this.base = copyState(build);
    else this.base = copyState({ scenario: this.data.scenarios[name] ? name : this.data.defaults, set: {}, assume: {} });
    var onPage = (container.getAttribute("data-claims") || "").split(/\s+/).filter(Boolean);
    var labelled = document.querySelectorAll("[data-claim]");
    for (var i = 0; i < labelled.length; i++) onPage.push(labelled[i].getAttribute("data-claim"));
    var behind = root.CruxTipping.dependencies(engine, sortedUnique(onPage));
    this.claimIds = behind.claims;
    this.figureIds = behind.figures;
    this.fields = {};
    this.assumeSelects = {};
    this.last = null;
    this.state = copyState(this.base);
    /* the claim whose nearest tipping point the panel follows (crux-tipping.js) */
    var tipClaim = container.getAttribute("data-tip-claim");
    this.tipClaim = tipClaim && this.data.claims[tipClaim] && root.CruxTipping ? tipClaim : null;
    this.root = container.getAttribute("data-root") || "";
    this.tip = null;
    this.collectTargets();
    this.build();
  }

  Panel.prototype.collectTargets = function () {
    function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
    this.labels = all("[data-claim][data-label]");
    this.argumentLabels = all("[data-argument][data-label]");
    /* matrix cells of other columns than the build's: labelled by their column's scenario */
    this.cells = all("[data-matrix-claim][data-column-scenario]");
    this.explanations = all("[data-explanation]");
    this.quantities = all("[data-quantity]");
    this.claimFormulas = all("[data-formula-claim]");
    this.calculatorFormulas = all("[data-formula-calculator]");
    /* diagram nodes, with the pieces a relabelling touches: the status line (the last text)
     * and the shapes (a double border for the central claim) */
    this.nodes = all("svg g.node[id^='node-']").map(function (node) {
      var texts = node.querySelectorAll("text");
      return {
        node: node,
        id: node.id.slice(5),
        kind: ["claim", "argument"].filter(function (k) { return node.classList.contains(k); })[0] || "quantity",
        status: texts.length ? texts[texts.length - 1] : null,
        shapes: Array.prototype.slice.call(node.querySelectorAll("path, polygon, ellipse")),
      };
    });
    this.built = new Map();
    var built = this.built;
    this.labels.concat(this.argumentLabels).forEach(function (n) { built.set(n, n.getAttribute("data-label")); });
    this.cells.forEach(function (n) { built.set(n, n.getAttribute("data-scenario-label")); });
  };

  Panel.prototype.build = function () {
    var self = this;
    var data = this.data;
    var body = this.container.querySelector("[data-whatif-body]") || this.container;
    var scenarioSelect = el("select", { name: "scenario", id: "whatif-scenario" }, [
      el("option", { value: data.defaults, text: "defaults (the figures' own values)" }),
    ].concat(Object.keys(data.scenarios).sort().map(function (sid) {
      return el("option", { value: sid, text: sid + " \u2014 " + data.scenarios[sid].label });
    })));
    scenarioSelect.addEventListener("change", function () { self.pick(scenarioSelect.value); });
    this.scenarioSelect = scenarioSelect;
    this.modified = el("span", { class: "whatif-modified", hidden: true, text: "modified" });
    this.status = el("p", { class: "whatif-status", role: "status", "aria-live": "polite" });
    this.linkOut = el("a", { class: "whatif-link", href: "#", text: "Link to this view" });
    var reset = el("button", { type: "button", name: "reset", text: "Reset" });
    reset.addEventListener("click", function () { self.reset(); });
    var download = el("button", { type: "button", name: "download", text: "Download scenario" });
    download.addEventListener("click", function () { self.download(); });
    body.appendChild(el("div", { class: "whatif-head" }, [
      el("label", { for: "whatif-scenario", text: "Scenario " }), scenarioSelect, this.modified,
    ]));
    body.appendChild(el("div", { class: "whatif-actions" }, [reset, download, this.linkOut]));
    body.appendChild(this.status);
    if (this.tipClaim) {
      this.tipLine = el("p", { class: "whatif-tip", "data-whatif-tip": this.tipClaim, "aria-live": "polite" });
      body.appendChild(this.tipLine);
    }

    var lenses = this.figureIds.filter(function (fid) { return data.figures[fid].kind !== "number"; });
    var numbers = this.figureIds.filter(function (fid) { return data.figures[fid].kind === "number"; });
    if (lenses.length) {
      body.appendChild(el("fieldset", { class: "whatif-lenses" }, [el("legend", { text: "Lenses and switches" })]
        .concat(lenses.map(function (fid) { return self.choiceField(fid); }))));
    }
    if (numbers.length) {
      body.appendChild(el("fieldset", { class: "whatif-figures" }, [el("legend", { text: "Figures" })]
        .concat(numbers.map(function (fid) { return self.numberField(fid); }))));
    }
    if (this.claimIds.length) {
      var rows = this.claimIds.map(function (cid) { return self.assumeField(cid); });
      this.assumeBox = el("details", { class: "whatif-assume" }, [el("summary", { text: "Assume claims" })].concat(rows));
      body.appendChild(this.assumeBox);
    }
  };

  Panel.prototype.fieldShell = function (fid, control, extra) {
    var figure = this.data.figures[fid];
    var unit = figure.unit === "dimensionless" ? "" : " (" + figure.unit + ")";
    var error = el("p", { class: "whatif-error", id: "whatif-" + fid + "-error", hidden: true });
    var mark = el("span", { class: "whatif-changed-mark", hidden: true, text: "modified" });
    var label = el("label", { for: "whatif-" + fid }, [
      el("span", { class: "whatif-label", text: figure.label + unit }), el("code", { text: fid }), mark,
    ]);
    this.fields[fid] = { control: control, error: error, mark: mark, extra: extra || null };
    return el("div", { class: "whatif-field", "data-figure": fid }, [label, control, extra, error]);
  };

  Panel.prototype.numberField = function (fid) {
    var self = this;
    var figure = this.data.figures[fid];
    var input = el("input", {
      type: "text", inputmode: "decimal", name: fid, id: "whatif-" + fid, autocomplete: "off",
      spellcheck: "false", "aria-describedby": "whatif-" + fid + "-error",
    });
    var slider = el("input", {
      type: "range", min: figure.slider[0], max: figure.slider[1], step: "any",
      "aria-label": figure.label + " (slider)", tabindex: "-1", "data-slider": fid,
    });
    var shell = this.fieldShell(fid, input, slider);
    input.addEventListener("input", function () { self.edit(fid, input.value, false); });
    input.addEventListener("change", function () { self.edit(fid, input.value, true); });
    slider.addEventListener("input", function () {
      var value = Number(slider.value);
      input.value = numberText(value);
      self.edit(fid, input.value, false);
    });
    return shell;
  };

  Panel.prototype.choiceField = function (fid) {
    var self = this;
    var figure = this.data.figures[fid];
    var control;
    if (figure.kind === "switch") {
      control = el("input", { type: "checkbox", name: fid, id: "whatif-" + fid, value: "1" });
      control.addEventListener("change", function () { self.edit(fid, control.checked ? "1" : "0", true); });
    } else {
      control = el("select", { name: fid, id: "whatif-" + fid }, figure.choices.map(function (c) {
        return el("option", { value: c, text: c });
      }));
      control.addEventListener("change", function () { self.edit(fid, control.value, true); });
    }
    return this.fieldShell(fid, control);
  };

  Panel.prototype.assumeField = function (cid) {
    var self = this;
    var name = "assume." + cid;
    var select = el("select", { name: name, id: "whatif-" + name }, [
      el("option", { value: "", text: "as the scenario says" }),
      el("option", { value: "true", text: "assume it holds" }),
      el("option", { value: "false", text: "assume it fails" }),
    ]);
    select.addEventListener("change", function () { self.assume(cid, select.value); });
    this.assumeSelects[cid] = select;
    return el("div", { class: "whatif-field" }, [
      el("label", { for: "whatif-" + name }, [el("code", { text: cid }), el("span", { text: " " + this.data.claims[cid].text })]),
      select,
    ]);
  };

  /* ---- state changes ---- */

  Panel.prototype.setError = function (fid, message) {
    var field = this.fields[fid];
    if (!field) return;
    if (message) field.control.setAttribute("aria-invalid", "true");
    else field.control.removeAttribute("aria-invalid");
    field.error.textContent = message || "";
    field.error.hidden = !message;
  };

  Panel.prototype.edit = function (fid, text, commit) {
    var figure = this.data.figures[fid];
    var out = {};
    var why = checkInput(figure, String(text), out);
    this.setError(fid, why);
    if (why !== null) return false;
    var scenarioValue = this.engine.scenario(this.state.scenario).settings[fid];
    if (sameSetting(out.value, scenarioValue)) delete this.state.set[fid];
    else this.state.set[fid] = out.value;
    this.apply(commit ? null : fid);
    return true;
  };

  Panel.prototype.assume = function (cid, value) {
    if (value === "true" || value === "false") this.state.assume[cid] = value === "true";
    else delete this.state.assume[cid];
    this.apply(null);
  };

  Panel.prototype.pick = function (sid) {
    this.state = sid === this.base.scenario ? copyState(this.base) : copyState({ scenario: sid, set: {}, assume: {} });
    this.clearErrors();
    this.apply(null);
  };

  Panel.prototype.reset = function () {
    this.state = copyState(this.base);
    this.clearErrors();
    this.apply(null);
  };

  Panel.prototype.clearErrors = function () {
    var self = this;
    Object.keys(this.fields).forEach(function (fid) { self.setError(fid, null); });
  };

  Panel.prototype.load = function (search) {
    var parsed = parseQuery(this.engine, search, this.base);
    var self = this;
    this.state = copyState(parsed);
    this.apply(null);
    var notes = [];
    Object.keys(parsed.problems).forEach(function (key) {
      if (self.fields[key]) self.setError(key, parsed.problems[key]);
      else notes.push(parsed.problems[key]);
    });
    if (notes.length) this.status.textContent = notes.join(" ");
  };

  Panel.prototype.download = function () {
    var text = scenarioYaml(this.engine, this.state);
    var blob = new Blob([text], { type: "application/x-yaml" });
    var url = URL.createObjectURL(blob);
    var link = el("a", { href: url, download: "whatif-" + this.state.scenario + ".yaml", hidden: true });
    document.body.appendChild(link);
    link.click();
    link.remove();
    setTimeout(function () { URL.revokeObjectURL(url); }, 1000);
  };

  /* Evaluate the state and show it. `typing` is the figure being typed in (its text is kept). */
  Panel.prototype.apply = function (typing) {
    var resolved = resolve(this.engine, this.state);
    var result = this.engine.run(resolved.settings, resolved.assumptions);
    this.last = result;
    this.show(result);
    this.syncControls(resolved, typing);
    this.syncUrl();
    this.scheduleTip(resolved);
    return result;
  };

  /* The nearest tipping point costs a few hundred evaluations of the claim: it follows the
   * state TIP_DELAY ms after the last change, so sliders stay within a frame. The first one
   * (the page as loaded) is computed at once. */
  var TIP_DELAY = 120;

  Panel.prototype.scheduleTip = function (resolved) {
    if (!this.tipClaim) return;
    var self = this;
    clearTimeout(this.tipTimer);
    this.tipLine.classList.add("whatif-tip-pending");
    if (this.tip === null) this.updateTip(resolved);
    else this.tipTimer = setTimeout(function () { self.updateTip(resolved); }, TIP_DELAY);
  };

  Panel.prototype.updateTip = function (resolved) {
    resolved = resolved || resolve(this.engine, this.state);
    var cid = this.tipClaim;
    var line = this.tipLine;
    var tip = root.CruxTipping.nearest(this.engine, cid, resolved.settings, resolved.assumptions);
    this.tip = tip || false;
    line.classList.remove("whatif-tip-pending");
    line.textContent = "";
    line.appendChild(el("strong", { text: "Nearest tipping point" + (this.modifiedNames().length ? " from your values" : "") + ": " }));
    if (Object.prototype.hasOwnProperty.call(resolved.assumptions, cid)) {
      line.appendChild(document.createTextNode("none: the claim is assumed, so no number changes it."));
      return;
    }
    if (!tip) {
      line.appendChild(document.createTextNode("none: no single figure flips it within its search range."));
      return;
    }
    var text = root.CruxTipping.sentence(tip, formatNumber, formatQuantity);
    var rest = text.slice((tip.far + " if " + tip.figure).length);
    line.appendChild(el("span", { class: "tip-label label-" + tip.far, text: formatLabel(tip.far) }));
    line.appendChild(document.createTextNode(" if "));
    line.appendChild(el("a", { href: this.root + "figures/" + tip.figure + ".html" }, [el("code", { text: tip.figure })]));
    line.appendChild(document.createTextNode(rest));
    line.setAttribute("data-tip-text", text);
  };

  Panel.prototype.modifiedNames = function () {
    return differences(this.state, this.base);
  };

  Panel.prototype.syncControls = function (resolved, typing) {
    var self = this;
    var names = this.modifiedNames();
    this.scenarioSelect.value = this.state.scenario;
    Object.keys(this.fields).forEach(function (fid) {
      var field = self.fields[fid];
      var figure = self.data.figures[fid];
      var value = resolved.settings[fid];
      if (figure.kind === "switch") field.control.checked = Number(value) === 1;
      else if (figure.kind === "choice") field.control.value = value;
      else if (fid !== typing && !field.control.hasAttribute("aria-invalid")) {
        field.control.value = numberText(Number(value));
        if (field.extra) field.extra.value = String(value);
      } else if (fid === typing && field.extra) field.extra.value = String(value);
      var changed = names.indexOf(fid) >= 0;
      field.mark.hidden = !changed;
      field.control.classList.toggle("whatif-overridden", changed);
    });
    if (this.assumeBox) {
      this.claimIds.forEach(function (cid) {
        var value = cid in self.state.assume ? String(self.state.assume[cid]) : "";
        var select = self.assumeSelects[cid];
        if (select.value !== value) select.value = value;
      });
    }
    this.modified.hidden = !names.length;
    this.modified.title = names.length ? "Differs from the page as built: " + names.join(", ") : "";
    document.documentElement.classList.toggle("whatif-is-modified", names.length > 0);
  };

  /* The address bar follows the state, URL_DELAY ms after the last change: replaceState costs
   * milliseconds and Chromium throttles it when a slider fires it at every frame. */
  var URL_DELAY = 150;

  Panel.prototype.syncUrl = function () {
    var self = this;
    var query = writeQuery(this.engine, this.state, this.base);
    this.linkOut.setAttribute("href", (query || "?") + location.hash);
    clearTimeout(this.urlTimer);
    this.urlTimer = setTimeout(function () { self.writeUrl(query); }, URL_DELAY);
  };

  Panel.prototype.writeUrl = function (query) {
    if (query === location.search || (!query && !location.search)) return;
    try {
      history.replaceState(history.state, "", location.pathname + query + location.hash);
    } catch (err) {
      /* some browsers refuse replaceState on file:// pages; the link above still works */
    }
  };

  /* ---- writing results into the page ---- */

  /* A label element: `data-label` (or `data-scenario-label` in the matrix), its class
   * (`label-holds` or `holds`) and its text (`✔ holds`, or `✔ applies` for an argument). */
  function setLabel(node, label, built, attribute, text) {
    if (node.getAttribute(attribute) === label) return;
    node.setAttribute(attribute, label);
    ["holds", "fails", "undecided"].forEach(function (name) {
      if (node.classList.contains("label-" + name)) {
        node.classList.remove("label-" + name);
        node.classList.add("label-" + label);
      }
      if (node.classList.contains(name)) {
        node.classList.remove(name);
        node.classList.add(label);
      }
    });
    /* the text is the first text node (a visually hidden suffix may follow it) */
    var first = node.firstChild;
    if (first && first.nodeType === 3) first.nodeValue = text;
    else node.insertBefore(document.createTextNode(text), first);
    node.classList.toggle("whatif-changed", label !== built);
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  Panel.prototype.show = function (result) {
    var engine = this.engine;
    var built = this.built;
    var changed = 0;
    this.labels.forEach(function (node) {
      var label = result.claims[node.getAttribute("data-claim")];
      if (!label) return;
      setLabel(node, label, built.get(node), "data-label", formatLabel(label));
      if (label !== built.get(node)) changed++;
    });
    this.argumentLabels.forEach(function (node) {
      var label = result.arguments[node.getAttribute("data-argument")];
      if (label) setLabel(node, label, built.get(node), "data-label", SYMBOLS[label] + " " + ARGUMENT_STATES[label]);
    });
    this.explanations.forEach(function (node) {
      var cid = node.getAttribute("data-explanation");
      if (result.claims[cid]) setText(node, engine.summary(result, cid));
    });
    this.quantities.forEach(function (node) {
      var text = engine.quantityText(result, node.getAttribute("data-quantity"));
      if (text !== null) setText(node, text);
    });
    this.claimFormulas.forEach(function (node) {
      var claim = engine.data.claims[node.getAttribute("data-formula-claim")];
      if (claim && claim.holds_when) setText(node, engine.substitute(result, claim.holds_when, claim.parts));
    });
    this.calculatorFormulas.forEach(function (node) {
      var calc = engine.data.calculators[node.getAttribute("data-formula-calculator")];
      if (calc) setText(node, engine.substitute(result, calc.formula, calc.parts));
    });
    this.nodes.forEach(function (node) { recolour(node, result, engine); });
    this.showColumns();
    var names = this.modifiedNames();
    this.status.textContent = names.length
      ? changed + " label" + (changed === 1 ? "" : "s") + " on this page differ from the page as built."
      : "Showing the page as built.";
  };

  function recolour(item, result, engine) {
    var status;
    var label = null;
    if (item.kind === "claim" && result.claims[item.id]) {
      label = result.claims[item.id];
      status = formatLabel(label);
    } else if (item.kind === "argument" && result.arguments[item.id]) {
      label = result.arguments[item.id];
      status = SYMBOLS[label] + " " + ARGUMENT_STATES[label];
    } else {
      var text = engine.quantityText(result, item.id);
      if (text === null) return;
      status = "= " + text;
    }
    if (item.status) setText(item.status, status);
    var node = item.node;
    if (label === null || node.classList.contains(label)) return;
    ["holds", "fails", "undecided"].forEach(function (name) { node.classList.remove(name); });
    node.classList.add(label);
    var style = NODE_STYLE[label];
    item.shapes.forEach(function (shape) {
      if (shape.getAttribute("fill") && shape.getAttribute("fill") !== "none") shape.setAttribute("fill", style[0]);
      shape.setAttribute("stroke", style[1]);
      if (style[2]) shape.setAttribute("stroke-dasharray", style[2]);
      else shape.removeAttribute("stroke-dasharray");
    });
  }

  /* Matrix cells of other columns: the column's scenario with the reader's overrides on top;
   * a lens column is the picked scenario with its lens figure fixed to the column's option. */
  Panel.prototype.showColumns = function () {
    var self = this;
    var cache = {};
    this.cells.forEach(function (node) {
      var scenario = node.getAttribute("data-column-scenario");
      var lens = node.getAttribute("data-column-lens");
      var option = node.getAttribute("data-column-option");
      var key = lens ? "lens:" + lens + "=" + option : "scenario:" + scenario;
      if (!cache[key]) cache[key] = self.columnResult(scenario, lens, option);
      var label = cache[key].claims[node.getAttribute("data-matrix-claim")];
      if (label) setLabel(node, label, self.built.get(node), "data-scenario-label", formatLabel(label));
    });
  };

  Panel.prototype.columnResult = function (scenario, lens, option) {
    var state = { scenario: scenario, set: Object.assign({}, this.state.set), assume: this.state.assume };
    if (lens) {
      state.scenario = this.state.scenario;
      state.set[lens] = option;
    } else if (scenario !== this.data.defaults && !this.data.scenarios[scenario]) {
      state.scenario = this.state.scenario; // a file scenario or a build with overrides
    }
    var resolved = resolve(this.engine, state);
    return this.engine.run(resolved.settings, resolved.assumptions);
  };

  /* ---- start ---- */

  function semantics() {
    var S = root.CruxSemantics;
    if (!S || typeof S.label !== "function") throw new Error("crux-semantics.js is not loaded");
    return S;
  }

  function start() {
    var container = document.querySelector("[data-whatif]");
    if (!container || !root.CruxModel) return;
    try {
      var engine = new Engine(root.CruxModel, semantics());
      var panel = new Panel(container, engine);
      api.panel = panel;
      api.engine = engine;
      var body = container.querySelector("[data-whatif-body]");
      if (body) body.hidden = false;
      var note = container.querySelector("[data-whatif-note]");
      if (note) note.hidden = true;
      container.classList.add("whatif-ready");
      panel.load(location.search);
    } catch (err) {
      container.classList.add("whatif-broken");
      var note = container.querySelector("[data-whatif-note]");
      if (note) note.textContent = "The what-if panel could not start: " + err.message;
      throw err;
    }
  }

  function engine() {
    if (!api.engine) api.engine = new Engine(root.CruxModel, semantics());
    return api.engine;
  }

  /* Scripts and tests: evaluate `settings` ({figure: value}) and `assumptions` ({claim: bool})
   * on top of a scenario (default: the figures' own values), without touching the page. */
  function evaluate(settings, assumptions, scenario) {
    var e = engine();
    var base = resolve(e, { scenario: scenario || e.data.defaults, set: settings || {}, assume: assumptions || {} });
    var r = e.run(base.settings, base.assumptions);
    return { claims: r.claims, arguments: r.arguments, calculators: r.calculators, conditions: r.conditions };
  }

  /* The one-line explanation of every claim, as `crux eval --format json` writes it. */
  function explain(settings, assumptions, scenario) {
    var e = engine();
    var base = resolve(e, { scenario: scenario || e.data.defaults, set: settings || {}, assume: assumptions || {} });
    var r = e.run(base.settings, base.assumptions);
    var out = {};
    e.claimIds.forEach(function (cid) { out[cid] = e.summary(r, cid); });
    return out;
  }

  var api = {
    evaluate: evaluate,
    explain: explain,
    formatNumber: formatNumber,
    formatQuantity: formatQuantity,
    formatG: formatG,
    formatLabel: formatLabel,
    checkInput: checkInput,
    Engine: Engine,
    parseQuery: parseQuery,
    writeQuery: writeQuery,
    scenarioYaml: scenarioYaml,
    resolve: resolve,
    numberText: numberText,
    internals: { sameSetting: sameSetting, NODE_STYLE: NODE_STYLE, ARGUMENT_STATES: ARGUMENT_STATES },
  };
  root.CruxWhatIf = api;
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
