/* whatif-uncertainty.js: live P(holds) in the what-if panel (docs/whatif.md, "Uncertainty").
 *
 * Chance(panel) adds a 90% range to each number figure of the panel that has a distribution,
 * and after every change of the panel's state samples the whole map (crux-uncertainty.js) for
 * the page's scenario and for each other matrix column, then writes P(holds) into the page in
 * place: the matrix's P cells, the claim page's "How likely it holds" block, the conclusion
 * cards, the calculators' histograms (crux-histogram.js; the page's own and the panel's, one
 * per calculator behind the page's claims) and a figure page's chance curves
 * (crux-curve.js, after the rest). While a run is under way those elements are faded, so the
 * reader sees they are stale: the matrix's tables carry the class `chance-cells-updating` until
 * every column is in, the others `chance-updating` (and aria-busy).
 *
 * Sampling runs in a Web Worker made from a Blob URL (allowed from file:// too); where no worker
 * can be made, on this thread in slices of at most SLICE_MS, so input never waits longer.
 * Runs are never queued: an edit during a run starts the newest state as soon as the current
 * slice or the worker's current column returns, and the stale rest is dropped.
 *
 * Until the reader changes something (and with no seed in the link) the page keeps the numbers
 * the build computed with numpy, so a page as built reads as built.
 *
 * Needs crux-uncertainty.js, crux-tipping.js, crux-tasks.js, whatif-state.js and crux-format.js. Sets
 * CruxWhatIfChance. Plain ES2017.
 */
(function (root) {
  "use strict";

  var State = root.CruxWhatIfState;
  var SLICE_MS = 8;

  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (name) {
      var value = attrs[name];
      if (value === null || value === undefined || value === false) return;
      if (name === "text") node.textContent = value;
      else node.setAttribute(name, value === true ? "" : value);
    });
    (children || []).forEach(function (child) { if (child) node.appendChild(typeof child === "string" ? document.createTextNode(child) : child); });
    return node;
  }

  /* engine.site.render.probability: `0.604`, never rounding a possible outcome to 0 or 1. */
  function probability(value, digits) {
    digits = digits === undefined ? 3 : digits;
    if (value <= 0) return "0";
    if (value >= 1) return "1";
    var step = Math.pow(10, -digits);
    if (value < step / 2) return "<" + step.toFixed(digits);
    if (value > 1 - step / 2) return ">" + (1 - step).toFixed(digits);
    return value.toFixed(digits);
  }

  /* Writes that change nothing are skipped, and a number is written into the text node it
   * already has: replacing a node (textContent) makes Chromium lay out its block again, and every
   * write, even of the same value, restyles. While the worker samples, the page's thread has only
   * a few milliseconds a frame for the browser's own style, layout and paint of the page. */
  function setText(node, text) {
    var only = node.firstChild;
    if (only && only === node.lastChild && only.nodeType === 3) {
      if (only.nodeValue !== text) only.nodeValue = text;
    } else if (node.textContent !== text) node.textContent = text;
  }

  function setHidden(node, hidden) {
    if (node.hidden !== hidden) node.hidden = hidden;
  }

  function setAttribute(node, name, value) {
    if (node.getAttribute(name) !== value) node.setAttribute(name, value);
  }

  function percent(value) {
    return (value * 100).toFixed(1) + "%";
  }

  function now() {
    return typeof performance !== "undefined" ? performance.now() : Date.now();
  }

  /* ---- what to sample: a state as a run's spec -------------------------------------------- */

  /* Figures `crux simulate` holds at their value under a state: those its scenario (or the
   * build's overrides) holds, and every figure the reader set (`--set`). */
  function heldFixed(engine, state, base) {
    var data = engine.data;
    var fixed = Object.create(null);
    var names;
    if (base && state.scenario === base.scenario && base.fixed) names = base.fixed;
    else if (data.scenarios[state.scenario]) names = data.scenarios[state.scenario].fixed || [];
    else names = data.defaults_fixed || [];
    names.forEach(function (fid) { fixed[fid] = true; });
    Object.keys(state.set).forEach(function (fid) { fixed[fid] = true; });
    return fixed;
  }

  /* The spec of one run (crux-uncertainty.js Run) for a state. */
  function specFor(engine, state, options) {
    var core = root.CruxUncertainty.core;
    var data = engine.data;
    var resolved = State.resolve(engine, state);
    var fixed = heldFixed(engine, state, options.base);
    var figures = Object.create(null);
    var sampled = [];
    engine.figureIds.forEach(function (fid) {
      var figure = data.figures[fid];
      var entry = { value: engine.numeric(fid, resolved.settings[fid]), sample: null };
      var range = (state.range && state.range[fid]) || figure.range;
      if (figure.kind === "number" && range && figure.distribution && !fixed[fid]) {
        var bounds = core.physicalBounds(figure, range);
        if (core.rangeProblem(figure.distribution, range[0], range[1], bounds[0], bounds[1]) === null) {
          entry.sample = { distribution: figure.distribution, low: range[0], high: range[1], lower: bounds[0], upper: bounds[1] };
          sampled.push(fid);
        }
      }
      figures[fid] = entry;
    });
    var assumed = Object.create(null);
    var conditions = engine.conditionIds.filter(function (cid) { return !(cid in resolved.assumptions); });
    engine.claimIds.forEach(function (cid) {
      var claim = data.claims[cid];
      if (claim.assumed !== null && conditions.indexOf(cid) < 0) assumed[cid] = claim.assumed ? 1 : -1;
    });
    Object.keys(resolved.assumptions).forEach(function (cid) { assumed[cid] = resolved.assumptions[cid] ? 1 : -1; });
    return {
      n: options.n,
      seed: options.seed,
      figures: figures,
      order: data.calculator_order.slice(),
      conditions: conditions,
      claims: engine.claimIds.slice(),
      args: engine.argumentSpecs,
      assumed: assumed,
      tolerance: data.tolerance,
      keep: options.keep || [],
      correlations: data.correlations || [],
      sampled: sampled,
      assumptions: resolved.assumptions,
    };
  }

  /* ---- running: a worker, or slices on this thread ---------------------------------------- */

  function Runner(model) {
    this.model = model;
    this.worker = undefined; // made on first use
    this.jobs = 0;
    this.callbacks = Object.create(null);
    this.sorted = Object.create(null); // per kept calculator, the last sorted samples the worker sent
  }

  /* A worker's result, every one in the order sent (a stale job's too: the worker counts on it):
   * the sorted samples it left out (null) are those it sent before under the same stamp. Its
   * kept samples are those, sorted (the page reads nothing else of them). */
  Runner.prototype.receive = function (result) {
    var cache = this.sorted;
    Object.keys(result.sorted || {}).forEach(function (id) {
      var array = result.sorted[id];
      var stamp = result.stamps ? result.stamps[id] : undefined;
      if (array) cache[id] = { stamp: stamp, array: array };
      else if (cache[id] && cache[id].stamp === stamp) array = result.sorted[id] = cache[id].array;
      else throw new Error("the worker left out samples the page does not have: " + id);
      result.kept[id] = array;
    });
  };

  Runner.prototype.makeWorker = function () {
    if (this.worker !== undefined) return this.worker;
    this.worker = null;
    var U = root.CruxUncertainty;
    if (root.CRUX_NO_WORKER || typeof Worker === "undefined" || typeof Blob === "undefined" || !root.CruxRuntime.source || !root.CruxSemantics.source) return null;
    try {
      var source = U.workerSource(this.model, root.CruxRuntime.source, root.CruxSemantics.source);
      var url = URL.createObjectURL(new Blob([source], { type: "text/javascript" }));
      var worker = new Worker(url);
      var self = this;
      worker.onmessage = function (event) {
        var message = event.data;
        if (message.result) self.receive(message.result);
        var callback = self.callbacks[message.id];
        if (message.last) delete self.callbacks[message.id];
        if (callback) callback(message);
      };
      worker.onerror = function (event) {
        /* the origin refused the worker (or it broke): run the waiting jobs here instead */
        if (event && event.preventDefault) event.preventDefault();
        self.worker = null;
        var waiting = self.callbacks;
        self.callbacks = Object.create(null);
        Object.keys(waiting).forEach(function (id) { waiting[id]({ error: "worker unavailable" }); });
      };
      this.worker = worker;
    } catch (err) {
      this.worker = null;
    }
    return this.worker;
  };

  /* Run `spec`; `done(result, where)` unless `stale()` turns true first. */
  Runner.prototype.run = function (spec, stale, done) {
    this.runEach([spec], stale, function (index, result, where) { done(result, where); });
  };

  /* Run `specs` one after another; `each(index, result, where)` as each is done, unless `stale()`
   * turns true first. In the worker they are one job (it keeps their draws and formulas from
   * job to job, and sends each result as soon as it is done); here, one after another in slices. */
  Runner.prototype.runEach = function (specs, stale, each) {
    if (stale()) return;
    var self = this;
    var worker = this.makeWorker();
    function here(from) {
      if (from >= specs.length || stale()) return;
      self.runHere(specs[from], stale, function (result, where) {
        each(from, result, where);
        here(from + 1);
      });
    }
    if (!worker) {
      here(0);
      return;
    }
    /* the jobs that turned stale are dropped first, so the worker starts on this one sooner */
    Object.keys(this.callbacks).forEach(function (old) {
      var callback = self.callbacks[old];
      if (callback.stale && callback.stale()) {
        delete self.callbacks[old];
        worker.postMessage({ cancel: Number(old) });
      }
    });
    var id = ++this.jobs;
    var next = 0;
    this.callbacks[id] = function (message) {
      if (message.result && message.index === next) {
        next++;
        each(message.index, message.result, "worker");
      } else if (!message.result) {
        delete self.callbacks[id];
        if (!stale()) here(next); // the worker failed: the rest here
      }
    };
    this.callbacks[id].stale = stale;
    worker.postMessage({ id: id, specs: specs });
  };

  /* On this thread, in slices of at most SLICE_MS: the block size adapts to the map's cost. */
  Runner.prototype.runHere = function (spec, stale, done) {
    var core = root.CruxUncertainty.core;
    var block = 256;
    var run = new core.Run(spec, root.CruxUncertainty.sharedVector(this.model.vector), block);
    var t0 = now();
    function slice() {
      if (stale()) return;
      var start = now();
      var finished = false;
      while (!finished) {
        var before = now();
        finished = run.step();
        var took = now() - before;
        /* aim for blocks of a third of a slice */
        if (took > 0) run.block = Math.max(32, Math.min(spec.n, Math.round(run.block * (SLICE_MS / 3) / took)));
        if (now() - start > SLICE_MS - took) break;
      }
      if (finished) {
        var result = run.result();
        result.ms = now() - t0;
        done(result, "page");
      } else {
        setTimeout(slice, 0);
      }
    }
    slice();
  };

  /* ---- the panel's side -------------------------------------------------------------------- */

  function Chance(panel) {
    this.panel = panel;
    this.engine = panel.engine;
    this.data = panel.engine.data;
    var chance = this.data.chance || { samples: 20000, seed: 1 };
    this.samples = chance.samples;
    this.defaultSeed = chance.seed;
    this.base = Object.assign({}, panel.base, { fixed: (this.data.builds && this.data.builds[panel.container.getAttribute("data-scenario")] || {}).fixed });
    this.runner = new Runner(root.CruxModel);
    this.generation = 0;
    this.dependencies = Object.create(null);
    this.rangeFields = Object.create(null);
    this.panelHistograms = root.CruxHistogram && root.CruxHistogram.panelSection ? root.CruxHistogram.panelSection(this) : null;
    this.collect();
    this.curve = root.CruxCurve ? new root.CruxCurve.Live(this) : null; // a figure page's chance curves
    this.addRangeFields();
    this.statusLine = el("p", { class: "chance-status", role: "status", "aria-live": "polite" });
    var status = panel.status;
    if (status && status.parentNode) status.parentNode.insertBefore(this.statusLine, status.nextSibling);
    panel.chance = this;
    this.last = null;
    /* The first run of a page is slow (the browser compiles each formula's loop only after it
     * ran for a while): a worker runs the page as built once, off this thread, while the reader
     * reads, so that the first edit gets compiled code. */
    var self = this;
    setTimeout(function () { self.warm(); }, 50);
  }

  /* The panel's own histograms have no build-time drawing: this run of the page as built draws
   * them (in slices on this thread when there is no worker), and Reset goes back to it. */
  Chance.prototype.warm = function () {
    var self = this;
    var panelNodes = this.panelHistograms ? Array.prototype.slice.call(this.panelHistograms.querySelectorAll("[data-histogram]")) : [];
    if (!panelNodes.length && (this.runner.worker === null || !this.runner.makeWorker())) return;
    var spec = specFor(this.engine, this.panel.base, { n: this.samples, seed: this.defaultSeed, base: this.base, keep: this.keep() });
    var runner = this.runner;
    var stale = function () { return panelNodes.length ? self.edited : runner.worker === null; };
    runner.run(spec, stale, function (result) {
      if (!result || self.edited) return; // the reader's first edit draws them instead
      result.spec = spec;
      panelNodes.forEach(function (node) {
        var id = node.getAttribute("data-histogram");
        if (result.kept[id]) self.drawHistogram(node, id, result, true);
      });
      if (self.panelHistograms) self.panelHistograms.setAttribute("data-drawn", "");
    });
  };

  /* The page's elements that show a probability, found once. */
  Chance.prototype.collect = function () {
    function all(selector) { return Array.prototype.slice.call(document.querySelectorAll(selector)); }
    /* matrix cells: the build's column carries data-claim, the others data-matrix-claim */
    this.cells = all("table.matrix td.cell").map(function (td) {
      var badge = td.querySelector("[data-matrix-claim], [data-claim]");
      if (!badge) return null;
      return {
        td: td,
        claim: badge.getAttribute("data-matrix-claim") || badge.getAttribute("data-claim"),
        scenario: badge.getAttribute("data-column-scenario"),
        lens: badge.getAttribute("data-column-lens"),
        option: badge.getAttribute("data-column-option"),
        span: td.querySelector(".p-holds"),
        built: td.querySelector(".p-holds") ? td.querySelector(".p-holds").textContent : null,
      };
    }).filter(Boolean);
    /* the tables of those cells: while a run is under way, one class on each fades its P cells */
    this.tables = [];
    this.cells.forEach(function (cell) {
      var table = cell.td.closest ? cell.td.closest("table") : null;
      if (table && this.tables.indexOf(table) < 0) this.tables.push(table);
    }, this);
    this.blocks = all("[data-chance-claim]").map(function (node) {
      return { node: node, claim: node.getAttribute("data-chance-claim"), built: node.innerHTML };
    });
    this.cards = all("[data-card-chance]").map(function (node) {
      return { node: node, claim: node.getAttribute("data-card-chance"), built: node.textContent, hidden: node.hidden };
    });
    this.histograms = all("[data-histogram]");
    /* a histogram in a closed <details> (the panel's) is drawn when the reader opens it, from the
     * latest run: drawing what nobody sees cost the page's thread milliseconds per edit */
    var self = this;
    this.histograms.forEach(function (node) {
      var details = node.closest ? node.closest("details") : null;
      if (!details || details.hasAttribute("data-chance-drawn-on-open")) return;
      details.setAttribute("data-chance-drawn-on-open", "");
      details.addEventListener("toggle", function () {
        if (details.open && self.last) self.drawHistograms(self.last, null, details);
      });
    });
  };

  Chance.prototype.addRangeFields = function () {
    var self = this;
    var data = this.data;
    Object.keys(this.panel.fields).forEach(function (fid) {
      var figure = data.figures[fid];
      if (figure.kind !== "number" || !figure.distribution) return;
      var field = self.panel.fields[fid];
      var shell = field.control.closest ? field.control.closest(".whatif-field") : null;
      if (!shell) return;
      var unit = figure.unit === "dimensionless" ? "" : " " + figure.unit;
      function box(end) {
        return el("input", {
          type: "text", inputmode: "decimal", name: "range." + fid + "." + end, id: "whatif-range-" + fid + "-" + end,
          autocomplete: "off", spellcheck: "false", class: "chance-range-" + end,
          "aria-label": figure.label + ": " + (end === "low" ? "low end (5th percentile)" : "high end (95th percentile)") + " of its 90% range",
          "aria-describedby": "whatif-range-" + fid + "-error",
        });
      }
      var low = box("low");
      var high = box("high");
      var note = el("span", { class: "chance-range-note" });
      var error = el("p", { class: "whatif-error", id: "whatif-range-" + fid + "-error", hidden: true });
      var release = el("button", { type: "button", class: "chance-release", hidden: true, text: "Draw it from the range" });
      release.addEventListener("click", function () {
        delete self.panel.state.set[fid];
        self.panel.apply(null);
      });
      var row = el("div", { class: "chance-range", "data-range-figure": fid }, [
        el("span", { class: "chance-range-label", text: "90% range" }), low, el("span", { text: "to" }), high,
        el("span", { class: "chance-range-unit", text: figure.distribution }),
        note, release, error,
      ]);
      shell.appendChild(row);
      var entry = { low: low, high: high, note: note, error: error, release: release, row: row };
      self.rangeFields[fid] = entry;
      function edit() { self.editRange(fid, low.value, high.value); }
      low.addEventListener("input", edit);
      high.addEventListener("input", edit);
    });
  };

  /* The reader typed a range: check it, and keep it in the state when it can be sampled. */
  Chance.prototype.editRange = function (fid, lowText, highText) {
    var figure = this.data.figures[fid];
    var out = {};
    var why = State.checkRange(figure, String(lowText).trim() + ".." + String(highText).trim(), out);
    if (why === null) {
      var core = root.CruxUncertainty.core;
      var bounds = core.physicalBounds(figure, out.value);
      why = core.rangeProblem(figure.distribution, out.value[0], out.value[1], bounds[0], bounds[1]);
    }
    var entry = this.rangeFields[fid];
    if (entry) {
      setText(entry.error, why || "");
      setHidden(entry.error, !why);
      [entry.low, entry.high].forEach(function (input) {
        if (why) input.setAttribute("aria-invalid", "true");
        else input.removeAttribute("aria-invalid");
      });
    }
    if (why !== null) return false;
    var own = figure.range;
    if (own && own[0] === out.value[0] && own[1] === out.value[1]) delete this.panel.state.range[fid];
    else this.panel.state.range[fid] = out.value;
    this.typing = fid;
    this.panel.apply(null);
    this.typing = null;
    return true;
  };

  /* A bad `range.<figure>` in the link: shown on the figure's range field (true), if it has one. */
  Chance.prototype.linkProblem = function (key, message) {
    var entry = key.slice(0, 6) === "range." ? this.rangeFields[key.slice(6)] : null;
    if (!entry) return false;
    entry.error.textContent = message;
    entry.error.hidden = false;
    return true;
  };

  /* After every change of the panel's state (Panel.apply). */
  Chance.prototype.update = function () {
    var state = this.panel.state;
    this.syncRanges(state);
    var modified = State.differences(state, this.panel.base).length > 0;
    var generation = ++this.generation;
    document.documentElement.classList.toggle("chance-live", modified);
    if (modified) this.edited = true;
    if (!modified) {
      this.running = false;
      this.restore();
      this.idle();
      return;
    }
    this.running = true;
    this.start(state, generation);
  };

  Chance.prototype.syncRanges = function (state) {
    var self = this;
    var fixed = heldFixed(this.engine, state, this.base);
    Object.keys(this.rangeFields).forEach(function (fid) {
      var entry = self.rangeFields[fid];
      var figure = self.data.figures[fid];
      var range = state.range[fid] || figure.range;
      if (fid !== self.typing && !entry.low.hasAttribute("aria-invalid")) {
        var low = range ? State.numberText(range[0]) : "";
        var high = range ? State.numberText(range[1]) : "";
        if (entry.low.value !== low) entry.low.value = low;
        if (entry.high.value !== high) entry.high.value = high;
      }
      var byReader = Object.prototype.hasOwnProperty.call(state.set, fid);
      var held = fixed[fid];
      entry.row.classList.toggle("chance-held", !!held);
      entry.row.classList.toggle("chance-edited", !!state.range[fid]);
      setText(entry.note, !range ? "" : !held ? "" : byReader ? "held at your value" : "held at the scenario's value");
      setHidden(entry.release, !(held && byReader && range));
    });
  };

  /* Back to the numbers the build computed. */
  Chance.prototype.restore = function () {
    this.cells.forEach(function (cell) {
      if (cell.built === null) { if (cell.span) setHidden(cell.span, true); }
      else { setHidden(cell.span, false); setText(cell.span, cell.built); }
    });
    this.markCells(false);
    this.blocks.forEach(function (block) {
      if (block.node.innerHTML !== block.built) block.node.innerHTML = block.built;
      block.node.classList.remove("chance-updating");
      block.node.removeAttribute("aria-busy");
    });
    this.cards.forEach(function (card) {
      setText(card.node, card.built);
      setHidden(card.node, card.hidden);
      card.node.classList.remove("chance-updating");
    });
    if (root.CruxHistogram) root.CruxHistogram.restoreAll(this.histograms);
    if (this.curve) this.curve.restore();
    this.statusLine.textContent = "";
    this.last = null;
  };

  Chance.prototype.seed = function (state) {
    return state.seed === null || state.seed === undefined ? this.defaultSeed : state.seed;
  };

  /* The states to sample: the page's own, then each other matrix column's. */
  Chance.prototype.columns = function (state) {
    var panel = this.panel;
    var columns = [{ key: "", state: state }];
    var seen = { "": true };
    this.cells.forEach(function (cell) {
      if (!cell.scenario) return;
      var key = cell.lens ? "lens:" + cell.lens + "=" + cell.option : "scenario:" + cell.scenario;
      if (seen[key]) return;
      seen[key] = true;
      var column = { scenario: cell.scenario, set: Object.assign({}, state.set), assume: state.assume, range: state.range, seed: state.seed };
      if (cell.lens) {
        column.scenario = state.scenario;
        column.set[cell.lens] = cell.option;
      } else if (cell.scenario !== panel.data.defaults && !panel.data.scenarios[cell.scenario]) {
        column.scenario = state.scenario;
      }
      columns.push({ key: key, state: column });
    });
    return columns;
  };

  Chance.prototype.keep = function () {
    var keep = [];
    this.histograms.forEach(function (node) {
      var id = node.getAttribute("data-histogram");
      if (keep.indexOf(id) < 0) keep.push(id);
    });
    return keep;
  };

  Chance.prototype.start = function (state, generation) {
    var self = this;
    var columns = this.columns(state);
    var seed = this.seed(state);
    var results = Object.create(null);
    var started = now();
    this.markUpdating(true);
    this.statusLine.textContent = "Sampling " + this.samples.toLocaleString("en-US") + " draws\u2026";
    var stale = function () { return generation !== self.generation; };
    var specs = columns.map(function (column, index) {
      return specFor(self.engine, column.state, { n: self.samples, seed: seed, base: self.panel.base.scenario === column.state.scenario ? self.base : null, keep: index === 0 ? self.keep() : [] });
    });
    /* every column in one job: the worker sends each as it is done, the page's own first */
    this.runner.runEach(specs, stale, function (index, result, where) {
      if (stale()) return;
      var column = columns[index];
      result.spec = specs[index];
      result.where = where;
      results[column.key] = result;
      if (index === 0) {
        self.last = result;
        self.last.elapsed = now() - started;
        self.showPage(result, stale);
        if (self.onPage) self.onPage(result, now() - started);
      }
      self.showCells(column.key, result);
      if (index < columns.length - 1) return;
      self.markCells(false);
      /* done once the histograms queued before it are drawn too (crux-tasks.js runs in order) */
      root.CruxTasks.queue(function () {
        if (stale()) return;
        self.statusLine.textContent = self.summary(results[""], seed, now() - started);
        self.running = false;
        if (self.curve) self.curve.update(state, stale, seed); // after the P cells: they come first
        if (self.onDone) self.onDone(results, now() - started); // for scripts and benchmarks
        self.idle();
      });
    });
  };

  /* Call `task` once no run is under way (at once when none is): what can wait for the end of
   * a run, such as writing the address bar, does not compete with it. */
  Chance.prototype.whenIdle = function (task) {
    if (!this.running) task();
    else (this.waiting = this.waiting || []).push(task);
  };

  Chance.prototype.idle = function () {
    var waiting = this.waiting || [];
    this.waiting = null;
    waiting.forEach(function (task) { root.CruxTasks.queue(task); }); // each a task of its own
  };

  /* Short enough for two lines of the side panel, whose height is reserved (uncertainty.css):
   * a status that grew when a run ends would move the controls under the reader's pointer. */
  Chance.prototype.summary = function (result, seed, ms) {
    var sampled = result.spec.sampled.length;
    this.statusLine.setAttribute("data-where", result.where);
    this.statusLine.title = result.where === "worker" ? "Sampled in a Web Worker" : "Sampled on the page, in slices";
    return "P(holds) from " + result.n.toLocaleString("en-US") + " draws of " + sampled + " figure" + (sampled === 1 ? "" : "s") +
      ", seed " + seed + ", " + Math.round(ms) + " ms.";
  };

  Chance.prototype.markUpdating = function (on) {
    this.markCells(on);
    this.blocks.forEach(function (block) {
      block.node.classList.toggle("chance-updating", on);
      if (on) block.node.setAttribute("aria-busy", "true");
      else block.node.removeAttribute("aria-busy");
    });
    this.cards.forEach(function (card) { card.node.classList.toggle("chance-updating", on); });
    this.histograms.forEach(function (node) { node.classList.toggle("chance-updating", on); });
    /* a figure page's curves follow once the columns are done: stale from the edit on */
    if (on && this.curve && this.curve.node) {
      this.curve.node.classList.add("chance-updating");
      this.curve.node.setAttribute("aria-busy", "true");
    }
  };

  /* The matrix's P cells show they are stale by one class on their table (uncertainty.css), set
   * at the edit and taken off once every column is in: one write instead of one per cell, twice
   * per run. */
  Chance.prototype.markCells = function (on) {
    this.tables.forEach(function (table) {
      table.classList.toggle("chance-cells-updating", on);
      if (on) table.setAttribute("aria-busy", "true");
      else table.removeAttribute("aria-busy");
    });
  };

  /* Whether a claim's P is worth showing: it is not assumed, and a sampled figure bears on it
   * (engine.site.analysis.cell_chance). */
  Chance.prototype.applies = function (result, cid) {
    if (Object.prototype.hasOwnProperty.call(result.spec.assumptions, cid)) return false;
    var figures = this.dependencies[cid];
    if (!figures) figures = this.dependencies[cid] = root.CruxTipping.dependencies(this.engine, [cid]).figures;
    var sampled = result.spec.figures;
    return figures.some(function (fid) { return sampled[fid] && sampled[fid].sample; });
  };

  Chance.prototype.showCells = function (key, result) {
    var self = this;
    this.cells.forEach(function (cell) {
      var cellKey = !cell.scenario ? "" : cell.lens ? "lens:" + cell.lens + "=" + cell.option : "scenario:" + cell.scenario;
      if (cellKey !== key) return;
      var counts = result.counts[cell.claim];
      var show = counts && self.applies(result, cell.claim);
      if (!show) {
        if (cell.span) setHidden(cell.span, true);
        return;
      }
      if (!cell.span) {
        cell.span = el("span", { class: "p-holds", "data-p-holds": cell.claim });
        cell.td.appendChild(document.createTextNode(" "));
        cell.td.appendChild(cell.span);
      }
      setHidden(cell.span, false);
      setAttribute(cell.span, "title", "Chance it holds, from your values (" + result.n.toLocaleString("en-US") + " draws in your browser)");
      setText(cell.span, "P " + probability(counts[0] / result.n, 2));
    });
  };

  Chance.prototype.showPage = function (result, stale) {
    var self = this;
    var n = result.n;
    this.blocks.forEach(function (block) {
      var counts = result.counts[block.claim];
      block.node.classList.remove("chance-updating");
      block.node.removeAttribute("aria-busy");
      if (!counts) return;
      var applies = self.applies(result, block.claim);
      var p = [counts[0] / n, counts[1] / n, counts[2] / n];
      var names = ["holds", "fails", "undecided"];
      names.forEach(function (name, i) {
        var dd = block.node.querySelector("[data-chance='" + name + "']");
        if (!dd) return;
        var text = probability(p[i]);
        if (i === 0 && p[0] > 0 && p[0] < 1) {
          dd.textContent = text + " ";
          dd.appendChild(el("span", { class: "muted", title: "one standard error", text: "\u00b1 " + probability(Math.sqrt(p[0] * (1 - p[0]) / n)) }));
        } else dd.textContent = text;
      });
      var bar = block.node.querySelector(".chance-bar");
      if (bar) {
        bar.textContent = "";
        names.forEach(function (name, i) {
          if (p[i] > 0) bar.appendChild(el("span", { class: "label-" + name, style: "width: " + percent(p[i]) }));
        });
      }
      var note = block.node.querySelector(".built-only-note");
      if (note) {
        note.textContent = applies
          ? "Computed in your browser from your values and ranges: " + n.toLocaleString("en-US") + " draws of " + result.spec.sampled.length + " figures, seed " + result.spec.seed + "."
          : "No figure it depends on is drawn from a range under your values: its label is certain.";
      }
    });
    this.cards.forEach(function (card) {
      var counts = result.counts[card.claim];
      card.node.classList.remove("chance-updating");
      if (!counts || !self.applies(result, card.claim)) { setHidden(card.node, true); return; }
      setHidden(card.node, false);
      setText(card.node, "P(holds) " + probability(counts[0] / n));
    });
    this.drawHistograms(result, stale, null);
  };

  /* Each histogram (inside `within` only, when given) a task of its own (crux-tasks.js), and only
   * those whose samples changed (CruxHistogram.redraw); those in a closed <details> wait for it
   * to open (collect). */
  Chance.prototype.drawHistograms = function (result, stale, within) {
    if (!root.CruxHistogram) return;
    var self = this;
    this.histograms.forEach(function (node) {
      if (within && !within.contains(node)) return;
      var id = node.getAttribute("data-histogram");
      var closed = node.closest ? node.closest("details:not([open])") : null;
      if (!result.kept[id] || closed) {
        node.classList.remove("chance-updating");
        return;
      }
      root.CruxTasks.queue(function () {
        if (stale && stale()) return;
        node.classList.remove("chance-updating");
        self.drawHistogram(node, id, result, false);
      });
    });
  };

  /* One histogram from a run's samples: the worker's sorted copy when there is one. */
  Chance.prototype.drawHistogram = function (node, id, result, asBuilt) {
    var sorted = result.sorted && result.sorted[id];
    return root.CruxHistogram.redraw(node, sorted || result.kept[id], this.engine, result, asBuilt, !!sorted, result.stamps && result.stamps[id]);
  };

  var api = { Chance: Chance, Runner: Runner, specFor: specFor, heldFixed: heldFixed, probability: probability };
  root.CruxWhatIfChance = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
