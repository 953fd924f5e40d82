/* whatif-page.js: writes an evaluation into the page as built, in place.
 *
 * The build marks what a re-evaluation may change: claim and argument labels (data-claim,
 * data-argument with data-label), matrix cells of other columns (data-matrix-claim,
 * data-column-scenario), explanations, quantities, substituted formulas and the diagram's nodes.
 * collect() finds them once; show() rewrites their labels, classes, texts and colours, and
 * showColumns() the matrix cells. Nothing is added to the page, so without JavaScript it reads
 * as built.
 *
 * Needs crux-format.js loaded before it. Sets CruxWhatIfPage. Plain ES2017.
 */
(function (root) {
  "use strict";

  var F = root.CruxFormat;
  var formatLabel = F.formatLabel;
  var SYMBOLS = F.SYMBOLS;
  var ARGUMENT_STATES = F.ARGUMENT_STATES;

  /* Diagram colours: engine/site/diagram.py LABEL_STYLE (fill, border, dash pattern). */
  var NODE_STYLE = {
    holds: ["#d7f0dd", "#1c6e33", null],
    fails: ["#f7d4d0", "#a1261b", "5,2"],
    undecided: ["#fbefc4", "#7a5d00", "1,5"],
    presumed: ["#ffffff", "#1c6e33", null],
  };

  /* engine/site/answer.py ANSWER_WORDS, and the claim page's heading (templates/claim.html). */
  var ANSWER_WORDS = { holds: "Yes", fails: "No", undecided: "Undecided" };
  var WHY = { holds: "Why it holds", fails: "Why it fails", undecided: "Why it is undecided" };
  function answerWord(label, basis) {
    return label === "holds" && basis === "presumption" ? "Yes, by presumption" : ANSWER_WORDS[label];
  }

  /* The elements a result is written into, and the labels the build gave them (`built`). */
  function collect() {
    var targets = {};
    function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
    targets.labels = all("[data-claim][data-label]");
    targets.argumentLabels = all("[data-argument][data-label]");
    /* matrix cells of other columns than the build's: labelled by their column's scenario */
    targets.cells = all("[data-matrix-claim][data-column-scenario]");
    targets.explanations = all("[data-explanation]");
    /* the index's answer in words, and claim pages' "Why it holds" headings */
    targets.answers = all("[data-answer-claim]");
    targets.headings = all("[data-heading-claim]");
    targets.truths = all("[data-truth-claim]");
    targets.quantities = all("[data-quantity]");
    targets.claimFormulas = all("[data-formula-claim]");
    targets.calculatorFormulas = all("[data-formula-calculator]");
    /* diagram nodes, with the pieces a relabelling touches: the status line (the last text)
     * and the shapes (a double border for the central claim) */
    targets.nodes = all("svg g.node[id^='node-']").map(function (node) {
      var texts = node.querySelectorAll("text");
      return {
        node: node,
        id: node.id.slice(5),
        kind: ["claim", "argument"].filter(function (k) { return node.classList.contains(k); })[0] || "quantity",
        status: texts.length ? texts[texts.length - 1] : null,
        shapes: Array.prototype.slice.call(node.querySelectorAll("path, polygon, ellipse")),
      };
    });
    targets.built = new Map();
    var built = targets.built;
    targets.labels.concat(targets.argumentLabels).forEach(function (n) { built.set(n, n.getAttribute("data-label")); });
    targets.cells.forEach(function (n) { built.set(n, n.getAttribute("data-scenario-label")); });
    return targets;
  }

  /* A label element: `data-label` (or `data-scenario-label` in the matrix), its class
   * (`label-holds` or `holds`), its text (`✔ holds`, `○ presumed`, or `✔ applies` for an
   * argument) and, for a claim, its basis (`data-basis`, and the class `presumed`). */
  function setLabel(node, label, built, attribute, text, basis) {
    var sameBasis = basis === undefined || node.getAttribute("data-basis") === basis;
    if (node.getAttribute(attribute) === label && sameBasis) return;
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
    if (basis !== undefined) {
      node.setAttribute("data-basis", basis);
      node.classList.toggle("presumed", basis === "presumption" && label === "holds");
    }
    /* the text is the first text node (a visually hidden suffix may follow it) */
    var first = node.firstChild;
    if (first && first.nodeType === 3) first.nodeValue = text;
    else node.insertBefore(document.createTextNode(text), first);
    node.classList.toggle("whatif-changed", label !== built);
  }

  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  /* Write `result` (Engine.run) into `targets` (collect()), explaining with `engine`; returns
   * how many claim labels now differ from the page as built. */
  function show(targets, result, engine) {
    var built = targets.built;
    var changed = 0;
    targets.labels.forEach(function (node) {
      var cid = node.getAttribute("data-claim");
      var label = result.claims[cid];
      if (!label) return;
      var basis = engine.basis(result, cid);
      setLabel(node, label, built.get(node), "data-label", formatLabel(label, basis), basis);
      if (label !== built.get(node)) changed++;
    });
    targets.argumentLabels.forEach(function (node) {
      var label = result.arguments[node.getAttribute("data-argument")];
      if (label) setLabel(node, label, built.get(node), "data-label", SYMBOLS[label] + " " + ARGUMENT_STATES[label]);
    });
    targets.explanations.forEach(function (node) {
      var cid = node.getAttribute("data-explanation");
      if (result.claims[cid]) setText(node, engine.summary(result, cid));
    });
    targets.quantities.forEach(function (node) {
      var text = engine.quantityText(result, node.getAttribute("data-quantity"));
      if (text !== null) setText(node, text);
    });
    targets.claimFormulas.forEach(function (node) {
      var formulaClaim = node.getAttribute("data-formula-claim");
      var claim = engine.data.claims[formulaClaim];
      if (claim && claim.holds_when) setText(node, engine.substituteClaim(result, formulaClaim));
    });
    targets.calculatorFormulas.forEach(function (node) {
      var calc = engine.data.calculators[node.getAttribute("data-formula-calculator")];
      if (calc) setText(node, engine.substitute(result, calc.formula, calc.parts));
    });
    targets.answers.forEach(function (node) {
      var cid = node.getAttribute("data-answer-claim");
      var label = result.claims[cid];
      if (!label) return;
      setText(node, answerWord(label, engine.basis(result, cid)) + ".");
      ["holds", "fails", "undecided"].forEach(function (name) { node.classList.toggle("label-" + name, name === label); });
    });
    targets.headings.forEach(function (node) {
      var label = result.claims[node.getAttribute("data-heading-claim")];
      if (label) setText(node, WHY[label]);
    });
    targets.truths.forEach(function (node) {
      var truth = result.conditions[node.getAttribute("data-truth-claim")];
      if (truth !== undefined) setText(node, truth === 1 ? "true" : truth === 0 ? "false" : "undefined");
    });
    targets.nodes.forEach(function (node) { recolour(node, result, engine); });
    return changed;
  }

  /* A diagram's status line: Graphviz sized the node so that its widest line, as built, fits
   * inside the shape (for an ellipse too: the text's box is inscribed). A longer status ("✘ does
   * not apply" where "✔ applies" was) is squeezed to that width, never spilling out. */
  function fitText(item, text) {
    var node = item.status;
    if (node.textContent === text) return;
    if (item.room === undefined) {
      item.room = 0;
      item.node.querySelectorAll("text").forEach(function (t) {
        if (typeof t.getComputedTextLength === "function") item.room = Math.max(item.room, t.getComputedTextLength());
      });
    }
    node.textContent = text;
    node.removeAttribute("textLength");
    node.removeAttribute("lengthAdjust");
    var room = item.room;
    if (room > 0 && typeof node.getComputedTextLength === "function" && node.getComputedTextLength() > room) {
      node.setAttribute("textLength", String(room));
      node.setAttribute("lengthAdjust", "spacingAndGlyphs");
    }
  }

  function recolour(item, result, engine) {
    var status;
    var label = null;
    var presumed = false;
    if (item.kind === "claim" && result.claims[item.id]) {
      label = result.claims[item.id];
      var basis = engine.basis(result, item.id);
      presumed = basis === "presumption" && label === "holds";
      status = formatLabel(label, basis);
    } else if (item.kind === "argument" && result.arguments[item.id]) {
      label = result.arguments[item.id];
      status = SYMBOLS[label] + " " + ARGUMENT_STATES[label];
    } else {
      var text = engine.quantityText(result, item.id);
      if (text === null) return;
      status = "= " + text;
    }
    if (item.status) fitText(item, status);
    var node = item.node;
    if (label === null || (node.classList.contains(label) && node.classList.contains("presumed") === presumed)) return;
    ["holds", "fails", "undecided"].forEach(function (name) { node.classList.remove(name); });
    node.classList.add(label);
    node.classList.toggle("presumed", presumed);
    var style = NODE_STYLE[presumed ? "presumed" : label];
    item.shapes.forEach(function (shape) {
      if (shape.getAttribute("fill") && shape.getAttribute("fill") !== "none") shape.setAttribute("fill", style[0]);
      shape.setAttribute("stroke", style[1]);
      if (style[2]) shape.setAttribute("stroke-dasharray", style[2]);
      else shape.removeAttribute("stroke-dasharray");
    });
  }

  /* Matrix cells of other columns: each column is evaluated once, by
   * `columnResult(scenario, lens, option)` (the panel knows the reader's overrides). */
  function showColumns(targets, columnResult, engine) {
    var cache = {};
    targets.cells.forEach(function (node) {
      var scenario = node.getAttribute("data-column-scenario");
      var lens = node.getAttribute("data-column-lens");
      var option = node.getAttribute("data-column-option");
      var key = lens ? "lens:" + lens + "=" + option : "scenario:" + scenario;
      if (!cache[key]) cache[key] = columnResult(scenario, lens, option);
      var cid = node.getAttribute("data-matrix-claim");
      var label = cache[key].claims[cid];
      if (!label) return;
      var basis = engine ? engine.basis(cache[key], cid) : undefined;
      setLabel(node, label, targets.built.get(node), "data-scenario-label", formatLabel(label, basis), basis);
    });
  }

  var api = { collect: collect, show: show, showColumns: showColumns, NODE_STYLE: NODE_STYLE };
  root.CruxWhatIfPage = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
