/* whatif.js: starts the what-if panel, and is the page's scripting interface (CruxWhatIf).
 *
 * The panel re-evaluates every claim in the browser as the reader edits figures. Its scripts,
 * loaded before this one in this order (templates/_whatif_scripts.html, docs/whatif.md):
 *   crux-runtime.js    helpers of the compiled formulas
 *   crux-semantics.js  the labelling semantics, the one JS port of engine/semantics.py
 *   model.js           CruxModel: the knowledge base and its compiled formulas (crux build)
 *   crux-format.js     numbers and labels as engine/formatting.py writes them
 *   crux-engine.js     Engine: evaluate a scenario, label it, explain each claim
 *   crux-tipping.js    the nearest tipping point of one claim
 *   whatif-state.js    the panel's state, input checks, query string, scenario file
 *   whatif-page.js     writing a result into the page as built
 *   whatif-panel.js    Panel: the controls and what they do
 * Without JavaScript, or without a model, the page keeps the labels the build computed.
 * Plain ES2017, no dependencies.
 */
(function (root) {
  "use strict";

  var F = root.CruxFormat;
  var Engine = root.CruxEngine.Engine;
  var State = root.CruxWhatIfState;
  var resolve = State.resolve;

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
      var panel = new root.CruxWhatIfPanel.Panel(container, engine);
      api.panel = panel;
      api.engine = engine;
      /* live P(holds) and histograms (whatif-uncertainty.js), before the link's state loads */
      if (root.CruxWhatIfChance && root.CruxUncertainty && root.CruxUncertainty.core) {
        api.chance = new root.CruxWhatIfChance.Chance(panel);
      }
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
    formatNumber: F.formatNumber,
    formatQuantity: F.formatQuantity,
    formatG: F.formatG,
    formatLabel: F.formatLabel,
    checkInput: State.checkInput,
    Engine: Engine,
    parseQuery: State.parseQuery,
    writeQuery: State.writeQuery,
    scenarioYaml: State.scenarioYaml,
    resolve: resolve,
    numberText: State.numberText,
    internals: { sameSetting: State.sameSetting, NODE_STYLE: root.CruxWhatIfPage.NODE_STYLE, ARGUMENT_STATES: F.ARGUMENT_STATES },
  };
  root.CruxWhatIf = api;
  if (typeof document !== "undefined") {
    if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
    else start();
  }
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
