// Small progressive enhancements; every page reads fully without them.
(function () {
  "use strict";

  // Copy buttons beside the read-only embed snippets.
  function addCopyButtons() {
    if (!navigator.clipboard) return;
    document.querySelectorAll(".copy-field textarea").forEach(function (area) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "copy-button";
      button.textContent = "Copy";
      var label = area.parentNode.querySelector("label");
      button.setAttribute("aria-label", "Copy " + (label ? label.textContent : "snippet"));
      button.addEventListener("click", function () {
        navigator.clipboard.writeText(area.value).then(function () {
          button.textContent = "Copied";
          setTimeout(function () { button.textContent = "Copy"; }, 1500);
        }, function () {
          area.select();
        });
      });
      var row = document.createElement("div");
      row.className = "copy-field-row";
      area.parentNode.insertBefore(row, area);
      row.appendChild(area);
      row.appendChild(button);
    });
  }

  // A link to a folded part of the page (a scenario's explanation, a step of a derivation
  // "see X above") unfolds every details element around it first.
  function openTarget() {
    if (!location.hash) return;
    var target = document.getElementById(decodeURIComponent(location.hash.slice(1)));
    if (!target) return;
    var opened = false;
    for (var node = target; node; node = node.parentElement) {
      if (node.tagName === "DETAILS" && !node.open) {
        node.open = true;
        opened = true;
      }
    }
    if (opened) target.scrollIntoView();
  }

  // Printed pages show every explanation.
  window.addEventListener("beforeprint", function () {
    document.querySelectorAll("details.explanation").forEach(function (d) { d.open = true; });
  });
  window.addEventListener("hashchange", openTarget);
  document.addEventListener("DOMContentLoaded", function () {
    addCopyButtons();
    openTarget();
  });
})();
