/* whatif-answer.js: the index's answer under each lens, rewritten from the reader's values.
 *
 * templates/index.html writes, for each lens figure, which answer the central claim gets under
 * which option ("No under first (this build) and second; yes under third.") and,
 * in the headline, the option in use. When the reader changes a figure or the lens, show()
 * evaluates the claim under every option with the reader's other values (the panel's
 * columnResult, as the matrix does) and writes the same words, so the sentence always agrees
 * with the badges beside it. The option in use is marked "(this build)" while the page shows
 * the build, "(now)" once the reader changed something.
 *
 * Needs crux-format.js and whatif-state.js; whatif-panel.js calls show(). Sets CruxWhatIfAnswer.
 * Plain ES2017.
 */
(function (root) {
  "use strict";

  /* engine/site/answer.py ANSWER_WORDS */
  var ANSWER_WORDS = { holds: "Yes", fails: "No", undecided: "Undecided" };

  function el(tag, className, text) {
    var node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /* [[label, [options]], ...] in the order each label first appears, as answer.py groups them. */
  function groupByLabel(options, labelOf) {
    var groups = [];
    options.forEach(function (option) {
      var label = labelOf(option);
      var group = groups.filter(function (g) { return g[0] === label; })[0];
      if (group) group[1].push(option);
      else groups.push([label, [option]]);
    });
    return groups;
  }

  /* The groups as templates/index.html writes them. */
  function writeGroups(box, groups, now, marker) {
    box.textContent = "";
    groups.forEach(function (group, index) {
      var span = el("span", "answer-group");
      var word = ANSWER_WORDS[group[0]] || group[0];
      span.appendChild(el("strong", "label-word label-" + group[0], index === 0 ? word : word.toLowerCase()));
      span.appendChild(document.createTextNode(" under "));
      group[1].forEach(function (option, i) {
        span.appendChild(el("code", null, option));
        if (option === now) {
          span.appendChild(document.createTextNode(" "));
          span.appendChild(el("span", "muted", marker));
        }
        var left = group[1].length - 1 - i;
        if (left) span.appendChild(document.createTextNode(left === 1 ? " and " : ", "));
      });
      box.appendChild(span);
      box.appendChild(document.createTextNode(index < groups.length - 1 ? "; " : "."));
    });
  }

  /* Rewrite every lens line and the headline's "with lens = …" from the panel's state. */
  function show(panel) {
    var lines = document.querySelectorAll("[data-answer-lens]");
    var nows = document.querySelectorAll("[data-answer-now]");
    if (!lines.length && !nows.length) return;
    var settings = root.CruxWhatIfState.resolve(panel.engine, panel.state).settings;
    var marker = panel.modifiedNames().length ? "(now)" : "(this build)";
    Array.prototype.forEach.call(nows, function (node) {
      var now = String(settings[node.getAttribute("data-answer-now")]);
      if (node.textContent !== now) node.textContent = now;
    });
    Array.prototype.forEach.call(lines, function (line) {
      var figure = line.getAttribute("data-answer-lens");
      var claim = line.getAttribute("data-answer-for");
      var options = (line.getAttribute("data-lens-options") || "").split(" ").filter(Boolean);
      var box = line.querySelector(".answer-groups");
      if (!box || !options.length) return;
      var now = String(settings[figure]);
      var groups = groupByLabel(options, function (option) {
        return panel.columnResult(null, figure, option).claims[claim];
      });
      var key = JSON.stringify([groups, now, marker]);
      if (line.getAttribute("data-answer-shown") === key) return;
      line.setAttribute("data-answer-shown", key);
      writeGroups(box, groups, now, marker);
    });
  }

  var api = { show: show, groupByLabel: groupByLabel };
  root.CruxWhatIfAnswer = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
