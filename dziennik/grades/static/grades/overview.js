/* The grade overview: a grade chip shows its details on hover and keyboard focus (CSS),
   and on a tap or click (here, for touch screens and for keeping them open). Escape
   hides them, leaving the focus where it was (WCAG 1.4.13). */
(function () {
  "use strict";
  var list = document.querySelector("main");
  if (!list) return;
  var open = null;

  function close() {
    if (open) {
      open.parentNode.classList.remove("is-open");
      open = null;
    }
  }

  list.addEventListener("click", function (event) {
    var chip = event.target.closest(".chip");
    if (!chip) return;
    var wasOpen = chip === open;
    close();
    if (!wasOpen) {
      open = chip;
      chip.parentNode.classList.add("is-open");
      chip.parentNode.classList.remove("is-dismissed");
    }
  });
  document.addEventListener("click", function (event) {
    if (!event.target.closest(".chip-wrap")) close();
  });
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    var wrap = document.activeElement && document.activeElement.closest(".chip-wrap");
    close();
    if (wrap) wrap.classList.add("is-dismissed");
  });
  list.addEventListener("focusout", function (event) {
    var wrap = event.target.closest(".chip-wrap");
    if (wrap) wrap.classList.remove("is-dismissed");
  });
})();
