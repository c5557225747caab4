// KeyStroke capture on the login page (docs/keystroke.md, accounts/typing_capture.py).
// For each key pressed in the password field it records when the key went down and when
// it came up, in milliseconds from the first key-down. It never records which key or
// character: a key's name is only compared to tell a modifier (Shift, AltGr…) from a
// keystroke, and its physical code only pairs a key-up with its key-down, in memory.
// Anything but plain typing (paste, a password manager's fill, deleting, a key held to
// repeat, a touch keyboard that hides its keys) leaves the hidden field empty, and the
// login goes the normal way.
(function () {
  "use strict";
  var target = document.querySelector("input[data-keystroke-for]");
  var field = target && document.getElementById(target.getAttribute("data-keystroke-for"));
  if (!field || !field.form || !window.performance) return;
  var NOT_KEYSTROKES = ["Shift", "Control", "Alt", "AltGraph", "Meta", "CapsLock", "Enter", "Tab"];
  var start = null;
  var strokes = [];
  var open = {};
  var spoilt = false;

  function reset() {
    start = null;
    strokes = [];
    open = {};
    spoilt = false;
  }

  function tenths(ms) {
    return Math.round(ms * 10) / 10;
  }

  field.addEventListener("keydown", function (event) {
    if (NOT_KEYSTROKES.indexOf(event.key) !== -1) return;
    if (event.isComposing || event.repeat || event.key === "Unidentified") {
      spoilt = true;
      return;
    }
    var now = performance.now();
    if (start === null) start = now;
    var stroke = [now - start, null];
    strokes.push(stroke);
    open[event.code] = stroke;
  });

  field.addEventListener("keyup", function (event) {
    var stroke = open[event.code];
    if (!stroke) return;
    stroke[1] = performance.now() - start;
    delete open[event.code];
  });

  field.addEventListener("input", function (event) {
    if (field.value === "") {
      reset();
    } else if (event.inputType !== "insertText") {
      spoilt = true; // pasted, filled in, deleted or replaced: not a typing rhythm
    }
  });

  field.form.addEventListener("submit", function () {
    var complete = strokes.every(function (stroke) { return stroke[1] !== null; });
    var plain = !spoilt && complete && strokes.length > 1 && strokes.length === field.value.length;
    target.value = plain
      ? JSON.stringify({ v: 1, t: strokes.map(function (s) { return [tenths(s[0]), tenths(s[1])]; }) })
      : "";
  });
})();
