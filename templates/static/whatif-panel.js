/* whatif-panel.js: the what-if panel's controls, and what happens when the reader uses them.
 *
 * Panel(container, engine) builds the controls inside _whatif.html's [data-whatif] section
 * (scenario, lenses and switches, number fields with sliders, assumptions, reset, download,
 * link), keeps the state (whatif-state.js) as the reader edits it, evaluates it with the
 * Engine (crux-engine.js), writes the result into the page (whatif-page.js), and keeps the
 * controls, the address bar and the nearest tipping point (crux-tipping.js) in step.
 *
 * Needs crux-format.js, whatif-state.js and whatif-page.js loaded before it, and
 * crux-tipping.js by the time a Panel is made. Sets CruxWhatIfPanel. Plain ES2017.
 */
(function (root) {
  "use strict";

  var F = root.CruxFormat;
  var formatNumber = F.formatNumber;
  var formatQuantity = F.formatQuantity;
  var formatLabel = F.formatLabel;
  var State = root.CruxWhatIfState;
  var checkInput = State.checkInput;
  var numberText = State.numberText;
  var sameSetting = State.sameSetting;
  var parseQuery = State.parseQuery;
  var writeQuery = State.writeQuery;
  var copyState = State.copyState;
  var differences = State.differences;
  var sortedUnique = State.sortedUnique;
  var resolve = State.resolve;
  var scenarioYaml = State.scenarioYaml;
  var Page = root.CruxWhatIfPage;

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
    this.fields = Object.create(null); // keyed by names from the link too: no prototype
    this.assumeSelects = Object.create(null);
    this.last = null;
    this.state = copyState(this.base);
    /* the claim whose nearest tipping point the panel follows (crux-tipping.js) */
    var tipClaim = container.getAttribute("data-tip-claim");
    this.tipClaim = tipClaim && this.data.claims[tipClaim] && root.CruxTipping ? tipClaim : null;
    this.root = container.getAttribute("data-root") || "";
    this.tip = null;
    this.tipSearches = 0;
    this.collectTargets();
    this.build();
  }

  /* the elements a result is written into (whatif-page.js), kept on the panel */
  Panel.prototype.collectTargets = function () {
    Object.assign(this, Page.collect());
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
    this.changes = el("ul", { class: "whatif-changes", "aria-label": "Labels your values changed", hidden: true });
    body.appendChild(this.changes);
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
    return el("div", { class: "whatif-field", "data-assume": cid }, [
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
      else if (!(self.chance && self.chance.linkProblem(key, parsed.problems[key]))) notes.push(parsed.problems[key]);
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
    if (this.chance) this.chance.update(); // P(holds) from samples (whatif-uncertainty.js)
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
    var searching = ++this.tipSearches;
    this.tipLine.classList.add("whatif-tip-pending");
    if (this.tip === null) {
      this.showTip(resolved, root.CruxTipping.nearest(this.engine, this.tipClaim, resolved.settings, resolved.assumptions));
      return;
    }
    /* later edits: in slices of a few ms (crux-tasks.js), dropped when the state changes again */
    this.tipTimer = setTimeout(function () {
      var steps = root.CruxTipping.search(self.engine, self.tipClaim, resolved.settings, resolved.assumptions);
      root.CruxTasks.slices(steps, function (tip) { self.showTip(resolved, tip); }, function () { return searching !== self.tipSearches; });
    }, TIP_DELAY);
  };

  Panel.prototype.showTip = function (resolved, tip) {
    var cid = this.tipClaim;
    var line = this.tipLine;
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
    /* only what changed is written: every write restyles, even of the value already there */
    function setValue(control, value) {
      if (control.value !== value) control.value = value;
    }
    setValue(this.scenarioSelect, this.state.scenario);
    Object.keys(this.fields).forEach(function (fid) {
      var field = self.fields[fid];
      var figure = self.data.figures[fid];
      var value = resolved.settings[fid];
      if (figure.kind === "switch") field.control.checked = Number(value) === 1;
      else if (figure.kind === "choice") setValue(field.control, value);
      else if (fid !== typing && !field.control.hasAttribute("aria-invalid")) {
        setValue(field.control, numberText(Number(value)));
        if (field.extra) setValue(field.extra, String(value));
      } else if (fid === typing && field.extra) setValue(field.extra, String(value));
      var changed = names.indexOf(fid) >= 0;
      if (field.mark.hidden !== !changed) field.mark.hidden = !changed;
      field.control.classList.toggle("whatif-overridden", changed);
    });
    if (this.assumeBox) {
      this.claimIds.forEach(function (cid) {
        var value = cid in self.state.assume ? String(self.state.assume[cid]) : "";
        var select = self.assumeSelects[cid];
        if (select.value !== value) select.value = value;
      });
    }
    if (this.modified.hidden !== !names.length) this.modified.hidden = !names.length;
    var title = names.length ? "Differs from the page as built: " + names.join(", ") : "";
    if (this.modified.title !== title) this.modified.title = title;
    document.documentElement.classList.toggle("whatif-is-modified", names.length > 0);
  };

  /* The address bar follows the state once the reader pauses, URL_DELAY ms after the last
   * change, and once no sampling run is under way: replaceState stalls the page's thread for
   * 1-40 ms on this 2-core machine (Chromium's browser process answers it; measured on an idle
   * page), long enough to delay the next key, so it waits for a pause in the typing, not for the
   * gap between two keys (150 ms did). Chromium also throttles it when a slider fires it at every
   * frame. The panel's "Link to this view" follows every change at once. */
  var URL_DELAY = 1000;

  Panel.prototype.syncUrl = function () {
    var self = this;
    var query = writeQuery(this.engine, this.state, this.base);
    this.linkOut.setAttribute("href", (query || "?") + location.hash);
    this.urlQuery = query;
    clearTimeout(this.urlTimer);
    this.urlTimer = setTimeout(function () {
      var write = function () { self.writeUrl(self.urlQuery); };
      if (self.chance) self.chance.whenIdle(write);
      else write();
    }, URL_DELAY);
  };

  Panel.prototype.writeUrl = function (query) {
    if (query === location.search || (!query && !location.search)) return;
    try {
      history.replaceState(history.state, "", location.pathname + query + location.hash);
    } catch (err) {
      /* some browsers refuse replaceState on file:// pages; the link above still works */
    }
  };

  /* ---- writing results into the page (whatif-page.js) ---- */

  Panel.prototype.show = function (result) {
    var changed = Page.show(this, result, this.engine);
    this.showColumns();
    if (root.CruxWhatIfAnswer) root.CruxWhatIfAnswer.show(this); // the index's lens lines
    var names = this.modifiedNames();
    this.status.textContent = names.length
      ? changed + " label" + (changed === 1 ? "" : "s") + " on this page differ from the page as built" + (changed ? ":" : ".")
      : "Showing the page as built.";
    this.showChanges(result, names.length > 0);
  };

  /* A live summary of the claims whose label differs from the page as built, each linking to
   * its first label on the page, so the reader sees what changed without scrolling away. */
  Panel.prototype.showChanges = function (result, modified) {
    var list = this.changes;
    list.textContent = "";
    var seen = {};
    var engine = this.engine;
    var data = this.data;
    this.labels.forEach(function (node) {
      var cid = node.getAttribute("data-claim");
      if (!modified || seen[cid] || !node.classList.contains("whatif-changed")) return;
      seen[cid] = true;
      if (!node.id) node.id = "whatif-label-" + cid + "-" + Object.keys(seen).length;
      var label = result.claims[cid];
      var badge = el("span", { class: "badge label-" + label, text: formatLabel(label, engine.basis(result, cid)) });
      list.appendChild(el("li", {}, [badge, document.createTextNode(" "), el("a", { href: "#" + node.id, text: data.claims[cid].text })]));
    });
    list.hidden = !list.childNodes.length;
  };

  /* Matrix cells of other columns: the column's scenario with the reader's overrides on top;
   * a lens column is the picked scenario with its lens figure fixed to the column's option. */
  Panel.prototype.showColumns = function () {
    var self = this;
    Page.showColumns(this, function (scenario, lens, option) { return self.columnResult(scenario, lens, option); }, this.engine);
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

  var api = { Panel: Panel };
  root.CruxWhatIfPanel = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
