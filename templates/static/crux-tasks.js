/* crux-tasks.js: the panel's work on the page's thread in short tasks (docs/whatif.md,
 * "Uncertainty").
 *
 * While the worker samples, the page's thread still writes the results, draws histograms and
 * searches the nearest tipping point. Run as one task each, those took up to 80 ms, and the
 * reader's keys and clicks waited for them. Here each piece of work is a task of its own, and a
 * long search is a generator driven in slices of a few milliseconds, so input is handled between
 * any two of them.
 *
 *   CruxTasks.queue(task)                       task() in a task of its own, after those queued
 *                                               before it
 *   CruxTasks.slices(steps, done, stale[, ms])   steps.next() until it is done, at most `ms`
 *                                               (SLICE_MS) per task; then done(its value),
 *                                               unless stale() turned true first
 *
 * A MessageChannel posts the tasks (a zero-delay timer is clamped to 4 ms after a few), and a
 * timer where there is none. Sets CruxTasks. Plain ES2017.
 */
(function (root) {
  "use strict";

  // 4 ms, not 8: a slice, a garbage collection and a frame's paint together must stay near 16 ms.
  var SLICE_MS = 4;
  var waiting = [];
  var posted = false;
  var channel = null;
  if (typeof MessageChannel !== "undefined") {
    channel = new MessageChannel();
    channel.port1.onmessage = runOne;
    if (channel.port1.unref) channel.port1.unref(); // Node: only a port with tasks waiting keeps a process alive
  }

  function now() {
    return typeof performance !== "undefined" ? performance.now() : Date.now();
  }

  function post() {
    if (posted) return;
    posted = true;
    if (channel && channel.port1.ref) channel.port1.ref();
    if (channel) channel.port2.postMessage(0);
    else setTimeout(runOne, 0);
  }

  /* One task per message: the browser handles input and timers between two. */
  function runOne() {
    posted = false;
    var task = waiting.shift();
    if (waiting.length) post();
    else if (channel && channel.port1.unref) channel.port1.unref();
    if (task) task();
  }

  function queue(task) {
    waiting.push(task);
    post();
  }

  function slices(steps, done, stale, budget) {
    budget = budget || SLICE_MS;
    function slice() {
      if (stale && stale()) return;
      var start = now();
      var step;
      do {
        step = steps.next();
      } while (!step.done && now() - start < budget);
      if (step.done) done(step.value);
      else queue(slice);
    }
    queue(slice);
  }

  var api = { queue: queue, slices: slices, SLICE_MS: SLICE_MS };
  root.CruxTasks = api;
  if (typeof module !== "undefined" && module.exports) module.exports = api;
})(typeof globalThis !== "undefined" ? globalThis : this);
