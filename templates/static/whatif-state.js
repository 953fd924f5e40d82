/* whatif-state.js: the what-if panel's state, and the texts that carry it off the page.
 *
 * A state is {scenario, set: {figure: value}, assume: {claim: bool}, problems}: a scenario plus
 * the reader's overrides. Here: checking what the reader typed, the query string that links to
 * a state (?scenario=x&figure=value&assume.claim=true), what differs from the page as built,
 * the settings a state means (resolve), and the scenario file the panel downloads. No DOM.
 *
 * Needs crux-format.js loaded before it. Sets CruxWhatIfState. Plain ES2017.
 */
(function (root) {
  "use strict";

  var formatNumber = root.CruxFormat.formatNumber;

  /* Names in a link are looked up as own properties only: `?scenario=constructor` or
   * `assume.__proto__` must read as unknown names, not as Object.prototype's members. */
  function has(map, key) {
    return map != null && Object.prototype.hasOwnProperty.call(map, key);
  }

  function emptyMap() {
    return Object.create(null);
  }

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
    var state = copyState({ scenario: base.scenario, set: emptyMap(), assume: emptyMap(), range: base.range, seed: base.seed });
    var data = engine.data;
    params.forEach(function (raw, key) {
      if (key === "seed") {
        if (/^\d{1,9}$/.test(raw)) state.seed = Number(raw);
        else state.problems.seed = "Expected a whole number from 0 to 999999999 as the seed, found '" + raw + "'.";
      } else if (key.slice(0, 6) === "range.") {
        var rid = key.slice(6);
        var rangeOut = {};
        var rangeWhy = has(data.figures, rid) ? checkRange(data.figures[rid], raw, rangeOut) : "Unknown figure '" + rid + "' in the link.";
        if (rangeWhy === null) state.range[rid] = rangeOut.value;
        else state.problems[key] = rangeWhy + (has(data.figures, rid) ? " (from the link: '" + raw + "')" : "");
      } else if (key === "scenario") {
        if (raw === data.defaults || has(data.scenarios, raw)) state.scenario = raw;
        else state.problems.scenario = "Unknown scenario '" + raw + "' in the link.";
      } else if (key.slice(0, 7) === "assume.") {
        var cid = key.slice(7);
        if (!has(data.claims, cid)) state.problems[key] = "Unknown claim '" + cid + "' in the link.";
        else if (raw === "true" || raw === "false") state.assume[cid] = raw === "true";
        else state.problems[key] = "Expected true or false, found '" + raw + "'.";
      } else if (has(data.figures, key)) {
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
    Object.keys(state.range || {}).sort().forEach(function (fid) {
      parts.push("range." + fid + "=" + rangeText(state.range[fid]));
    });
    if (state.seed !== null && state.seed !== undefined) parts.push("seed=" + state.seed);
    return parts.length ? "?" + parts.join("&") : "";
  }

  function copyState(state) {
    var range = emptyMap();
    Object.keys(state.range || {}).forEach(function (fid) { range[fid] = state.range[fid].slice(); });
    return {
      scenario: state.scenario,
      set: Object.assign(emptyMap(), state.set),
      assume: Object.assign(emptyMap(), state.assume),
      range: range,
      seed: state.seed === undefined ? null : state.seed,
      problems: emptyMap(),
    };
  }

  /* A range as a link writes it: `2..9` (shortest round-trip numbers). */
  function rangeText(range) {
    return numberText(range[0]) + ".." + numberText(range[1]);
  }

  /* Why `text` (`low..high`) cannot be a 90% range of the figure, or null; `out.value` gets
   * [low, high]. Whether the range can be sampled (a lognormal's must be positive, it must
   * overlap the physical bounds) is crux-uncertainty.js's rangeProblem. */
  function checkRange(figure, text, out) {
    if (figure.kind !== "number") return "Only a number figure has a range.";
    var parts = String(text).split("..");
    if (parts.length !== 2) return "Expected a range as low..high, e.g. 2..9.";
    var ends = [];
    for (var i = 0; i < 2; i++) {
      var end = {};
      var why = checkInput(figure, parts[i], end);
      if (why !== null) return (i === 0 ? "Low end: " : "High end: ") + why;
      ends.push(end.value);
    }
    if (ends[0] > ends[1]) return "The low end is above the high end.";
    out.value = ends;
    return null;
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
    var ranges = state.range || emptyMap();
    var baseRanges = base.range || emptyMap();
    sortedUnique(Object.keys(ranges).concat(Object.keys(baseRanges))).forEach(function (fid) {
      var a = ranges[fid];
      var b = baseRanges[fid];
      if (!(a && b && a[0] === b[0] && a[1] === b[1])) names.push("range." + fid);
    });
    if ((state.seed === undefined ? null : state.seed) !== (base.seed === undefined ? null : base.seed)) names.push("seed");
    return names;
  }

  function sortedUnique(items) {
    var seen = emptyMap();
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
    var picked = has(data.scenarios, state.scenario) ? data.scenarios[state.scenario] : null;
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
    var rids = Object.keys(state.range || {}).sort();
    if (rids.length) {
      /* a scenario sets values, not ranges: say what the file leaves out */
      lines.push("# Ranges you gave in the panel (a scenario file cannot carry them):");
      rids.forEach(function (fid) { lines.push("#   " + fid + ": " + rangeText(state.range[fid])); });
    }
    return lines.join("\n") + "\n";
  }

  var api = {
    checkInput: checkInput,
    numberText: numberText,
    sameSetting: sameSetting,
    parseQuery: parseQuery,
    writeQuery: writeQuery,
    copyState: copyState,
    checkRange: checkRange,
    rangeText: rangeText,
    differences: differences,
    sortedUnique: sortedUnique,
    resolve: resolve,
    scenarioYaml: scenarioYaml,
  };
  root.CruxWhatIfState = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
