/* The gradebook grid: spreadsheet-like keyboard entry posting each cell to the server.
   Enter saves and moves down, Tab moves right (native), arrow keys move between cells.
   A refused value stays in its cell, marked invalid, with the server's message. */
(function () {
  "use strict";
  var table = document.getElementById("gradebook");
  if (!table) return;
  var cellUrl = table.dataset.cellUrl;
  var csrf = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  var status = document.getElementById("grid-status");
  var editor = document.getElementById("cell-editor");
  var who = document.getElementById("cell-editor-who");
  var comment = document.getElementById("cell-comment");
  var correction = document.getElementById("cell-correction");
  var current = null;

  function inputAt(row, col) {
    return table.querySelector('.grade-input[data-row="' + row + '"][data-col="' + col + '"]');
  }

  // Saves go out one at a time, in the order they were typed: typing never waits, and a
  // later value of a cell can never be overtaken by an earlier one.
  var queue = Promise.resolve();

  function post(input, fields) {
    var run = function () { return send(input, fields); };
    queue = queue.then(run, run);
    return queue;
  }

  function send(input, fields) {
    var body = new URLSearchParams();
    body.set("student", input.dataset.student);
    // what the cell showed: a cell someone else changed meanwhile is refused (409)
    body.set("version", (fields.field === "correction" ? input.dataset.correctionVersion : input.dataset.version) || "");
    Object.keys(fields).forEach(function (k) { body.set(k, fields[k]); });
    input.classList.add("saving");
    input.setAttribute("aria-busy", "true");
    return fetch(cellUrl.replace("/0/", "/" + input.dataset.assessment + "/"), {
      method: "POST",
      headers: { "X-CSRFToken": csrf, "Content-Type": "application/x-www-form-urlencoded" },
      body: body,
      credentials: "same-origin"
    }).then(function (response) {
      return response.json().catch(function () { return { ok: false, error: response.statusText }; });
    }).then(function (data) {
      input.classList.remove("saving");
      input.removeAttribute("aria-busy");
      var tr = input.closest("tr");
      var errorId = "err-" + input.dataset.assessment + "-" + input.dataset.student;
      var old = document.getElementById(errorId);
      if (old) old.remove();
      if (data.stale) {
        // refused as stale: the cell shows the saved grade, and is based on it now
        input.value = data.value;
        input.dataset.saved = data.value;
        input.dataset.version = data.version;
        input.dataset.correctionVersion = data.correction_version;
        input.dataset.comment = data.comment;
        input.dataset.correction = data.correction;
      }
      if (!data.ok) {
        input.setAttribute("aria-invalid", "true");
        input.classList.add("invalid");
        var msg = document.createElement("span");
        msg.className = "cell-error";
        msg.id = errorId;
        msg.textContent = data.error;
        input.parentNode.appendChild(msg);
        input.setAttribute("aria-describedby", errorId);
        status.textContent = data.error;
        return data;
      }
      input.removeAttribute("aria-invalid");
      input.removeAttribute("aria-describedby");
      input.classList.remove("invalid");
      if (fields.field !== "comment" && fields.field !== "correction") {
        input.dataset.saved = input.value;
      }
      input.dataset.comment = data.comment;
      input.dataset.correction = data.correction;
      input.dataset.version = data.version;
      input.dataset.correctionVersion = data.correction_version;
      var corr = input.parentNode.querySelector(".correction");
      corr.textContent = data.correction ? "(" + data.correction + ")" : "";
      corr.hidden = !data.correction;
      var avgCell = tr.querySelector(".row-average");
      avgCell.textContent = data.average || "–";
      avgCell.dataset.value = data.average_value;
      tr.querySelector(".row-proposed").textContent = data.proposed || "–";
      input.classList.add("saved");
      status.textContent = "";
      return data;
    }).catch(function () {
      input.classList.remove("saving");
      input.classList.add("invalid");
      input.setAttribute("aria-invalid", "true");
      status.textContent = table.dataset.networkError || "Network error – the value was not saved.";
    });
  }

  function save(input) {
    // Enter saves and moves on, and the blur that follows fires "change": post once.
    if (input.value === input.dataset.saved || input.value === input.dataset.pending) {
      return Promise.resolve();
    }
    input.dataset.pending = input.value;
    return post(input, { value: input.value }).finally(function () {
      delete input.dataset.pending;
    });
  }

  function move(input, dRow, dCol) {
    var next = inputAt(Number(input.dataset.row) + dRow, Number(input.dataset.col) + dCol);
    if (next) { next.focus(); next.select(); }
  }

  // The comment/correction editor opens inside the cell it is about, so it sits next
  // to the cell and Tab reaches it from there; Escape (or Enter) closes it and gives
  // the focus back to the cell. One editor and one button for the whole grid.
  var noteButton = document.getElementById("cell-note-button");

  function openEditor(input) {
    if (!editor) return;
    current = input;
    input.parentNode.appendChild(editor);
    editor.hidden = false;
    who.textContent = input.getAttribute("aria-label");
    comment.value = input.dataset.comment || "";
    correction.value = input.dataset.correction || "";
    comment.focus();
  }

  function closeEditor(refocus) {
    if (!editor || editor.hidden) return;
    // Focus first: the field's blur sends its change before the editor hides.
    if (refocus && current) current.focus();
    editor.hidden = true;
  }

  if (editor) {
    editor.addEventListener("keydown", function (event) {
      if (event.key === "Escape") {
        event.preventDefault();
        closeEditor(true);
      } else if (event.key === "Enter") {
        event.preventDefault();
        closeEditor(true);
      }
    });
    editor.addEventListener("focusout", function (event) {
      if (!editor.contains(event.relatedTarget)) closeEditor(false);
    });
    noteButton.addEventListener("mousedown", function (event) { event.preventDefault(); });
    noteButton.addEventListener("click", function () { if (current) openEditor(current); });
  }

  table.querySelectorAll(".grade-input").forEach(function (input) {
    input.dataset.saved = input.value;
    input.addEventListener("focus", function () {
      current = input;
      if (noteButton) {
        input.parentNode.appendChild(noteButton);
        noteButton.hidden = false;
      }
    });
    input.addEventListener("change", function () { save(input); });
    input.addEventListener("keydown", function (event) {
      var atStart = input.selectionStart === 0 && input.selectionEnd === 0;
      var atEnd = input.selectionStart === input.value.length;
      if (event.key === "Enter" && (event.ctrlKey || event.metaKey)) {
        event.preventDefault();
        save(input);
        openEditor(input);
      } else if (event.key === "Enter") {
        event.preventDefault();
        save(input);
        move(input, event.shiftKey ? -1 : 1, 0);
      } else if (event.key === "ArrowDown") {
        event.preventDefault(); move(input, 1, 0);
      } else if (event.key === "ArrowUp") {
        event.preventDefault(); move(input, -1, 0);
      } else if (event.key === "ArrowRight" && atEnd) {
        event.preventDefault(); move(input, 0, 1);
      } else if (event.key === "ArrowLeft" && atStart) {
        event.preventDefault(); move(input, 0, -1);
      } else if (event.key === "Escape") {
        input.value = input.dataset.saved;
      }
    });
  });

  if (comment) {
    comment.addEventListener("change", function () {
      if (current) post(current, { field: "comment", comment: comment.value });
    });
    correction.addEventListener("change", function () {
      if (current) post(current, { field: "correction", value: correction.value });
    });
  }

  // After "new column": start typing in its first cell.
  var match = window.location.hash.match(/^#enter-(\d+)$/);
  if (match) {
    var first = table.querySelector('.grade-input[data-assessment="' + match[1] + '"]');
    if (first) { first.focus(); first.select(); }
  }
})();
