/* map-viewer.js: pan and zoom for the whole map (map.html), written for crux (no dependencies).
 *
 * The map is one large Graphviz SVG. Without JavaScript it sits in a box that scrolls. With it,
 * the box becomes a viewport: the SVG's viewBox is the view, so text stays sharp at any zoom.
 * It opens on the central claim at a legible zoom (one SVG point per CSS pixel, the size
 * Graphviz drew the text), at the top centre under the key, or fitted when there is no central
 * claim. Buttons zoom in and out,
 * fit the whole map and reset; dragging pans; the wheel and two-finger pinches zoom about the
 * pointer; the keyboard pans (arrows), zooms (+ and -), fits (0 or f) and resets (r or Home).
 * A drag never follows the link it started on. Works from file:// (nothing is fetched).
 * Plain ES2017.
 */
(function () {
  "use strict";

  var STEP = 1.25;
  var LEGIBLE = 1;
  /* An embedded diagram (a claim's neighbourhood) is never drawn larger than Graphviz drew it,
   * is at most this tall, and zooms with the wheel only with Ctrl (a touchpad pinch), so the
   * page still scrolls past it. */
  var EMBEDDED_HEIGHT = 420;

  function Viewer(box) {
    this.box = box;
    this.embedded = box.getAttribute("data-map-viewer") === "embedded";
    this.svg = box.querySelector("svg");
    var base = (this.svg.getAttribute("viewBox") || "").trim().split(/[\s,]+/).map(Number);
    if (base.length !== 4 || base.some(isNaN)) {
      var size = this.svg.getBBox();
      base = [size.x, size.y, size.width, size.height];
    }
    this.base = { x: base[0], y: base[1], w: base[2], h: base[3] };
    this.focusId = box.getAttribute("data-focus");
    this.svg.removeAttribute("width");
    this.svg.removeAttribute("height");
    this.svg.setAttribute("preserveAspectRatio", "xMidYMid meet");
    if (this.embedded) {
      var natural = Math.min(1, (box.clientWidth || 1) / this.base.w);
      var tall = Math.min(window.innerHeight * 0.7, EMBEDDED_HEIGHT);
      box.style.height = Math.max(160, Math.min(this.base.h * natural, tall)) + "px";
    }
    box.classList.add("pan-zoom");
    this.scale = 1;
    this.cx = this.base.x + this.base.w / 2;
    this.cy = this.base.y + this.base.h / 2;
    this.render();
    this.reset();
    this.listen();
  }

  Viewer.prototype.size = function () {
    return { w: this.box.clientWidth || 1, h: this.box.clientHeight || 1 };
  };

  Viewer.prototype.fitScale = function () {
    var s = this.size();
    var fit = Math.min(s.w / this.base.w, s.h / this.base.h);
    return this.embedded ? Math.min(fit, 1) : fit;
  };

  Viewer.prototype.clamp = function (scale) {
    var low = Math.min(this.fitScale() * 0.5, LEGIBLE);
    return Math.max(low, Math.min(scale, 6));
  };

  Viewer.prototype.render = function () {
    var s = this.size();
    var w = s.w / this.scale;
    var h = s.h / this.scale;
    this.view = { x: this.cx - w / 2, y: this.cy - h / 2, w: w, h: h };
    this.svg.setAttribute("viewBox", [this.view.x, this.view.y, w, h].map(function (v) { return v.toFixed(2); }).join(" "));
    this.box.setAttribute("data-scale", this.scale.toFixed(3));
  };

  /* SVG coordinates of a point given in pixels from the viewport's top left corner. */
  Viewer.prototype.toSvg = function (px, py) {
    return { x: this.view.x + px / this.scale, y: this.view.y + py / this.scale };
  };

  Viewer.prototype.zoomAt = function (factor, px, py) {
    var s = this.size();
    if (px === undefined) { px = s.w / 2; py = s.h / 2; }
    var at = this.toSvg(px, py);
    this.scale = this.clamp(this.scale * factor);
    this.cx = at.x - px / this.scale + s.w / this.scale / 2;
    this.cy = at.y - py / this.scale + s.h / this.scale / 2;
    this.render();
  };

  Viewer.prototype.panBy = function (dx, dy) {
    this.cx -= dx / this.scale;
    this.cy -= dy / this.scale;
    this.render();
  };

  Viewer.prototype.fit = function () {
    this.scale = this.fitScale();
    this.cx = this.base.x + this.base.w / 2;
    this.cy = this.base.y + this.base.h / 2;
    this.render();
  };

  /* Centred on the central claim at a legible zoom; the whole map if it fits anyway. */
  Viewer.prototype.reset = function () {
    var node = this.focusId ? document.getElementById("node-" + this.focusId) : null;
    if (!node || this.fitScale() >= LEGIBLE) {
      this.fit();
      return;
    }
    this.scale = 1;
    this.cx = this.base.x + this.base.w / 2;
    this.cy = this.base.y + this.base.h / 2;
    this.render();
    var box = this.box.getBoundingClientRect();
    var rect = node.getBoundingClientRect();
    var centre = this.toSvg(rect.left + rect.width / 2 - box.left, rect.top + rect.height / 2 - box.top);
    var columnTop = this.embedded ? null : this.topInColumn(centre.x, this.size().w / LEGIBLE / 2, box);
    this.scale = LEGIBLE;
    this.cx = centre.x;
    this.cy = centre.y;
    if (!this.embedded) {
      /* The whole map opens with the topmost node in view just under the key and the tools:
       * a central claim drawn at the top sits at the top centre with its reasons below it and
       * no empty band above it; one drawn lower stays no lower than the middle of the view. */
      var half = this.size().h / this.scale / 2;
      var top = columnTop - (this.overlayBottom() + 12) / this.scale;
      this.cy = Math.max(top, centre.y - half) + half;
    }
    this.render();
  };

  /* The top (SVG units) of the highest node that overlaps the columns x ± halfWidth, measured
   * in the view as rendered now (box: the viewport's client rectangle). */
  Viewer.prototype.topInColumn = function (x, halfWidth, box) {
    var self = this;
    var top = Infinity;
    Array.prototype.forEach.call(this.svg.querySelectorAll("g.node"), function (node) {
      var rect = node.getBoundingClientRect();
      var from = self.toSvg(rect.left - box.left, rect.top - box.top);
      var to = self.toSvg(rect.right - box.left, rect.bottom - box.top);
      if (to.x >= x - halfWidth && from.x <= x + halfWidth) top = Math.min(top, from.y);
    });
    return top === Infinity ? this.base.y : top;
  };

  /* Pixels from the viewport's top to the bottom of what floats over it (key, tools). */
  Viewer.prototype.overlayBottom = function () {
    var top = this.box.getBoundingClientRect().top;
    var frame = this.box.parentNode;
    var bottom = 0;
    Array.prototype.forEach.call(frame.querySelectorAll(".map-key, .map-tools"), function (el) {
      if (el.parentNode !== frame || el.hidden) return;
      bottom = Math.max(bottom, el.getBoundingClientRect().bottom - top);
    });
    return bottom;
  };

  Viewer.prototype.listen = function () {
    var self = this;
    var box = this.box;
    var pointers = new Map();
    var moved = 0;
    var pinch = null;
    box.addEventListener("pointerdown", function (e) {
      if (e.button !== undefined && e.button !== 0) return;
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      moved = 0;
      if (pointers.size === 2) pinch = null;
    });
    box.addEventListener("pointermove", function (e) {
      var last = pointers.get(e.pointerId);
      if (!last) return;
      if (pointers.size === 1) {
        var dx = e.clientX - last.x;
        var dy = e.clientY - last.y;
        moved += Math.abs(dx) + Math.abs(dy);
        if (moved > 4) {
          if (!box.hasPointerCapture(e.pointerId)) box.setPointerCapture(e.pointerId);
          self.panBy(dx, dy);
        }
      }
      pointers.set(e.pointerId, { x: e.clientX, y: e.clientY });
      if (pointers.size === 2) {
        var points = Array.from(pointers.values());
        var distance = Math.hypot(points[0].x - points[1].x, points[0].y - points[1].y);
        var rect = box.getBoundingClientRect();
        var mx = (points[0].x + points[1].x) / 2 - rect.left;
        var my = (points[0].y + points[1].y) / 2 - rect.top;
        if (pinch && distance > 0) self.zoomAt(distance / pinch, mx, my);
        pinch = distance;
        moved += 10;
      }
    });
    function release(e) {
      pointers.delete(e.pointerId);
      if (pointers.size < 2) pinch = null;
    }
    box.addEventListener("pointerup", release);
    box.addEventListener("pointercancel", release);
    /* a drag that ends on a node must not open it */
    box.addEventListener("click", function (e) {
      if (moved > 4) { e.preventDefault(); e.stopPropagation(); moved = 0; }
    }, true);
    box.addEventListener("wheel", function (e) {
      if (self.embedded && !e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      var rect = box.getBoundingClientRect();
      var factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.002));
      self.zoomAt(factor, e.clientX - rect.left, e.clientY - rect.top);
    }, { passive: false });
    box.addEventListener("keydown", function (e) {
      if (e.target !== box) return;
      var pan = 60;
      var keys = {
        ArrowLeft: function () { self.panBy(pan, 0); },
        ArrowRight: function () { self.panBy(-pan, 0); },
        ArrowUp: function () { self.panBy(0, pan); },
        ArrowDown: function () { self.panBy(0, -pan); },
        "+": function () { self.zoomAt(STEP); },
        "=": function () { self.zoomAt(STEP); },
        "-": function () { self.zoomAt(1 / STEP); },
        "0": function () { self.fit(); },
        f: function () { self.fit(); },
        r: function () { self.reset(); },
        Home: function () { self.reset(); },
      };
      if (keys[e.key]) { e.preventDefault(); keys[e.key](); }
    });
    var resizeTimer = null;
    window.addEventListener("resize", function () {
      clearTimeout(resizeTimer);
      resizeTimer = setTimeout(function () { self.render(); }, 100);
    });
  };

  /* Zoom and fit buttons for a diagram whose page has none: floating over its frame. */
  function makeTools(box) {
    var frame = document.createElement("div");
    frame.className = "map-frame";
    box.parentNode.insertBefore(frame, box);
    frame.appendChild(box);
    var tools = document.createElement("div");
    tools.className = "map-tools";
    [["zoom-in", "+", "Zoom in"], ["zoom-out", "\u2212", "Zoom out"], ["fit", "Fit", null], ["reset", "Reset", null]].forEach(function (spec) {
      var button = document.createElement("button");
      button.type = "button";
      button.setAttribute("data-action", spec[0]);
      button.textContent = spec[1];
      if (spec[2]) button.setAttribute("aria-label", spec[2]);
      tools.appendChild(button);
    });
    frame.appendChild(tools);
    return tools;
  }

  function start() {
    Array.prototype.forEach.call(document.querySelectorAll("[data-map-viewer]"), function (box) {
      if (box.querySelector("svg")) setUp(box);
    });
  }

  function setUp(box) {
    var viewer = new Viewer(box);
    var tools = box.parentNode.querySelector("[data-map-tools]") || makeTools(box);
    if (tools) {
      tools.hidden = false;
      var actions = {
        "zoom-in": function () { viewer.zoomAt(STEP); },
        "zoom-out": function () { viewer.zoomAt(1 / STEP); },
        fit: function () { viewer.fit(); },
        reset: function () { viewer.reset(); },
      };
      Array.prototype.forEach.call(tools.querySelectorAll("button[data-action]"), function (button) {
        button.addEventListener("click", function () { actions[button.getAttribute("data-action")](); });
      });
    }
    box.cruxViewer = viewer;
    if (!viewer.embedded) window.CruxMapViewer = viewer;
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
