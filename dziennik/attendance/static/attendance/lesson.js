// The lesson screen: one key per mark (o/n/s/u/z…) on a student's row, then the next row.
(function () {
  "use strict";
  var form = document.getElementById("lesson-form");
  if (!form) { return; }
  var rows = Array.prototype.slice.call(form.querySelectorAll("tr.mark-row"));

  function focusRow(row) {
    if (!row) { return; }
    var radio = row.querySelector("input[type=radio]:checked") || row.querySelector("input[type=radio]");
    if (radio) { radio.focus(); }
  }

  form.addEventListener("keydown", function (event) {
    if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
      event.preventDefault();
      form.requestSubmit();
      return;
    }
    var target = event.target;
    if (!target.matches || !target.matches("input[type=radio]") || event.ctrlKey || event.altKey || event.metaKey) { return; }
    var row = target.closest("tr.mark-row");
    var key = (event.key || "").toLowerCase();
    var choice = row && row.querySelector('input[type=radio][data-shortcut="' + key + '"]');
    if (!choice || choice.disabled) { return; }
    event.preventDefault();
    choice.checked = true;
    choice.dispatchEvent(new Event("change", { bubbles: true }));
    var next = rows[rows.indexOf(row) + 1];
    if (next) { focusRow(next); } else { choice.focus(); }
  });

  var copy = document.getElementById("copy-previous");
  if (copy) {
    copy.addEventListener("click", function () {
      rows.forEach(function (row) {
        var kind = row.getAttribute("data-previous");
        var radio = kind && row.querySelector('input[type=radio][value="' + kind + '"]');
        if (radio) { radio.checked = true; }
      });
    });
  }
})();
