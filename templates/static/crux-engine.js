/* crux-engine.js: evaluates the knowledge base in the browser, and explains each label.
 *
 * Engine(CruxModel, CruxSemantics) reads model.js (figures, scenarios, arguments, and the
 * formulas compiled by engine/compile_js.py from the engine's own sympy trees), evaluates
 * figures -> calculators (in the engine's order) -> conditions -> fixed labels, and hands them
 * to crux-semantics.js, the one JavaScript port of the labelling semantics. Nothing here knows
 * any formula or re-implements the semantics. The explanations port engine/explain.py's
 * one-line summaries (claim_summary, substitute) and engine.semantics.explain_claim.
 *
 * Needs crux-format.js loaded before it; the model and semantics are passed in, so crux-tipping.js
 * and Node tests can use an Engine without a page. Sets CruxEngine. Plain ES2017.
 */
(function (root) {
  "use strict";

  var F = root.CruxFormat;
  var formatG = F.formatG;
  var formatQuantity = F.formatQuantity;
  var formatSetting = F.formatSetting;

  var LABELS = { "1": "holds", "-1": "fails", "0": "undecided" };

  /* ---- evaluation -------------------------------------------------------------------- */

  /* Maps keyed by ids or by names from the address bar have no prototype, so that `constructor`,
   * `toString` or `__proto__` are ordinary keys: absent unless the knowledge base defines them. */
  function ownMap(object) {
    var out = Object.create(null);
    if (object) Object.keys(object).forEach(function (key) { out[key] = object[key]; });
    return out;
  }

  function ownData(data) {
    ["figures", "calculators", "claims", "arguments", "scenarios", "builds"].forEach(function (section) {
      if (data[section]) data[section] = ownMap(data[section]);
    });
    Object.keys(data.scenarios).forEach(function (sid) {
      var scenario = data.scenarios[sid];
      scenario.set = ownMap(scenario.set);
      scenario.assume = ownMap(scenario.assume);
    });
    return data;
  }

  function Engine(model, semantics) {
    this.model = model;
    this.data = ownData(model.data);
    this.semantics = semantics;
    var data = this.data;
    this.figureIds = Object.keys(data.figures).sort();
    this.claimIds = Object.keys(data.claims).sort();
    this.argumentIds = Object.keys(data.arguments).sort();
    this.conditionIds = Object.keys(model.conditions).sort();
    this.byConclusion = Object.create(null);
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
    var settings = Object.create(null);
    var figures = this.data.figures;
    for (var i = 0; i < this.figureIds.length; i++) settings[this.figureIds[i]] = figures[this.figureIds[i]].value;
    var assumptions = Object.create(null);
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
    var v = Object.create(null);
    var i, id;
    for (i = 0; i < this.figureIds.length; i++) {
      id = this.figureIds[i];
      v[id] = this.numeric(id, settings[id]);
    }
    var calculators = Object.create(null);
    var order = this.data.calculator_order;
    for (i = 0; i < order.length; i++) {
      id = order[i];
      calculators[id] = v[id] = model.calculators[id](v);
    }
    var conditions = Object.create(null);
    var fixed = Object.create(null);
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
    var labelled = this.semantics.label(this.claimIds, this.argumentSpecs, fixed, this.data.tolerance);
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
    var out = Object.create(null);
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

  /* engine/evaluation/explain.py given_view: the values a claim's `given:` settings make its
   * condition see, as {changed: [[figure, text]], settings, calculators}; null without any. */
  Engine.prototype.givenView = function (result, cid) {
    var settings = (this.model.given || {})[cid];
    if (!settings || !settings.length) return null;
    var data = this.data;
    var v = Object.create(null);
    var shown = Object.create(null);
    Object.keys(result.values).forEach(function (id) { v[id] = result.values[id]; });
    Object.keys(result.settings).forEach(function (id) { shown[id] = result.settings[id]; });
    var changed = [];
    var overridden = Object.create(null);
    settings.forEach(function (pair) {
      var name = pair[0];
      var value = pair[1](v);
      v[name] = value;
      var figure = data.figures[name];
      if (figure && figure.kind === "choice") {
        shown[name] = figure.choices[value];
        changed.push([name, "'" + shown[name] + "'"]);
      } else {
        shown[name] = value;
        if (!figure) overridden[name] = value;
        var unit = figure ? figure.unit : data.calculators[name].unit;
        changed.push([name, formatQuantity(value, unit)]);
      }
    });
    // As in Python: the calculators again from the figures alone, then the given ones on top.
    var calculators = Object.create(null);
    var order = data.calculator_order;
    for (var i = 0; i < order.length; i++) {
      calculators[order[i]] = v[order[i]] = this.model.calculators[order[i]](v);
    }
    Object.keys(overridden).forEach(function (name) { calculators[name] = overridden[name]; });
    return { changed: changed, settings: shown, calculators: calculators };
  };

  /* engine/evaluation/explain.py given_text: `given region = 'hills'`. */
  function givenText(view) {
    return "given " + view.changed.map(function (c) { return c[0] + " = " + c[1]; }).join(", ");
  }

  /* A claim's condition with its values, as its `given:` settings (if any) see them. */
  Engine.prototype.substituteClaim = function (result, cid) {
    var claim = this.data.claims[cid];
    var view = this.givenView(result, cid);
    return this.substitute(view || result, claim.holds_when, claim.parts);
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

  /* engine/evaluation/evaluate.py claim_basis: how a claim's label was reached. */
  Engine.prototype.basis = function (result, cid) {
    if (Object.prototype.hasOwnProperty.call(result.assumptions, cid)) return "assumption";
    var claim = this.data.claims[cid];
    if (claim.holds_when !== null) return "numbers";
    if (claim.assumed !== null) return "assumption";
    var args = this.data.arguments;
    var hasPro = (this.byConclusion[cid] || []).some(function (aid) { return args[aid].stance === "pro"; });
    return result.claims[cid] === "holds" && !hasPro ? "presumption" : "arguments";
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
      var view = this.givenView(result, cid);
      return "Decided by the numbers: " + claim.holds_when + " is " + state +
        (view ? ", " + givenText(view) : "") + " (" +
        this.substitute(view || result, claim.holds_when, claim.parts) + ").";
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

  Engine.ownMap = ownMap;

  var api = { Engine: Engine };
  root.CruxEngine = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
