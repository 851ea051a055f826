/*
 * Two jobs, both optional: without this script the form works the same.
 *
 * 1. Hides, while the respondent answers, the questions whose show_if depends
 *    on an answer given on the same page. Without this script such questions
 *    are shown, and the server judges them when the page is sent: this only
 *    spares people from reading questions that do not concern them.
 *    Conditions arrive as data (see Condition.to_data in conditions.py) and are
 *    judged with the same rules: a comparison with an unanswered question is false.
 *
 * 2. On a kiosk (a shared computer), starts afresh once nobody has touched the
 *    page for a while: the page's "start afresh" form carries the delay
 *    (data-idle-seconds) and is sent when it runs out, after a warning shown
 *    data-warn-seconds before; any key, click, touch or scroll starts the count
 *    again. Without the script a <noscript> refresh does the same.
 */
(function () {
  "use strict";
  var reset = document.querySelector ? document.querySelector("form[data-idle-seconds]") : null;
  if (reset) { resetWhenIdle(reset); }

  function resetWhenIdle(afresh) {
    var seconds = parseFloat(afresh.getAttribute("data-idle-seconds"));
    var warnBefore = parseFloat(afresh.getAttribute("data-warn-seconds")) || 0;
    var warning = document.getElementById("idle-warning");
    var timers = [];
    if (!(seconds > 0)) { return; }
    function restart() {
      for (var i = 0; i < timers.length; i++) { clearTimeout(timers[i]); }
      if (warning) { warning.hidden = true; }
      timers = [setTimeout(function () { afresh.submit(); }, seconds * 1000)];
      if (warning && warnBefore > 0 && warnBefore < seconds) {
        timers.push(setTimeout(function () { warning.hidden = false; }, (seconds - warnBefore) * 1000));
      }
    }
    var events = ["keydown", "pointerdown", "touchstart", "input", "change", "wheel", "scroll"];
    for (var j = 0; j < events.length; j++) { document.addEventListener(events[j], restart, true); }
    restart();
  }

  var form = document.getElementById("answers");
  if (!form || !window.JSON || !form.querySelectorAll) { return; }
  var known = JSON.parse(form.getAttribute("data-known") || "{}");
  var blocks = form.querySelectorAll("[data-show-if]");

  function fieldAnswer(name) {
    var inputs = form.querySelectorAll("[name='" + name + "']");
    if (!inputs.length) { return undefined; }
    var first = inputs[0];
    if (first.type === "checkbox") {
      var chosen = [];
      for (var i = 0; i < inputs.length; i++) { if (inputs[i].checked) { chosen.push(inputs[i].value); } }
      return chosen.length ? chosen : null;
    }
    if (first.type === "radio") {
      for (var j = 0; j < inputs.length; j++) { if (inputs[j].checked) { return inputs[j].value || null; } }
      return null;
    }
    var text = first.value.trim();
    return text ? text : null;
  }

  function answer(name) {
    var value = fieldAnswer(name);
    if (value === undefined) { value = known.hasOwnProperty(name) ? known[name] : null; }
    return value;
  }

  function asNumber(value) {
    if (typeof value === "number") { return value; }
    if (typeof value !== "string" || !/^[+-]?(\d+([.,]\d*)?|[.,]\d+)$/.test(value.replace(/[\s\u00a0\u202f']/g, ""))) { return NaN; }
    return parseFloat(value.replace(/[\s\u00a0\u202f']/g, "").replace(",", "."));
  }

  function operand(node) {
    return node[0] === "value" ? node[1] : answer(node[1]);
  }

  function compare(op, left, right) {
    if (left === null || right === null || Array.isArray(left) || Array.isArray(right)) { return false; }
    if (typeof left === "number" || typeof right === "number") {
      left = asNumber(left); right = asNumber(right);
      if (isNaN(left) || isNaN(right)) { return false; }
    } else if (op !== "==" && op !== "!=") {
      return false;
    }
    switch (op) {
      case "==": return left === right;
      case "!=": return left !== right;
      case "<": return left < right;
      case "<=": return left <= right;
      case ">": return left > right;
      case ">=": return left >= right;
    }
    return false;
  }

  function holds(node) {
    var i;
    switch (node[0]) {
      case "or": for (i = 1; i < node.length; i++) { if (holds(node[i])) { return true; } } return false;
      case "and": for (i = 1; i < node.length; i++) { if (!holds(node[i])) { return false; } } return true;
      case "not": return !holds(node[1]);
      case "answered": return answer(node[1]) !== null;
      case "in": var chosen = answer(node[2]); return Array.isArray(chosen) && chosen.indexOf(node[1]) >= 0;
      case "compare": return compare(node[1], operand(node[2]), operand(node[3]));
    }
    return true;
  }

  function update() {
    for (var i = 0; i < blocks.length; i++) {
      var conditions = JSON.parse(blocks[i].getAttribute("data-show-if"));
      var visible = true;
      for (var j = 0; j < conditions.length; j++) { if (!holds(conditions[j])) { visible = false; } }
      blocks[i].hidden = !visible;
    }
  }

  form.addEventListener("change", update);
  form.addEventListener("input", update);
  update();
})();
