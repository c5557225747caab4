/* Dziennik: the little plain JavaScript the layout needs. Every page works without it. */
(function () {
  "use strict";

  var root = document.documentElement;
  root.classList.remove("no-js");
  root.classList.add("js");

  // Narrow screens: the main menu folds behind an accessible menu button.
  function setUpMenu() {
    var button = document.getElementById("menu-toggle");
    var menu = document.getElementById("site-menu");
    if (!button || !menu) {
      return;
    }
    function setOpen(open) {
      button.setAttribute("aria-expanded", open ? "true" : "false");
      menu.classList.toggle("is-open", open);
    }
    button.hidden = false;
    setOpen(false);
    button.addEventListener("click", function () {
      setOpen(button.getAttribute("aria-expanded") !== "true");
    });
    // Escape closes an open menu and gives the focus back to its button.
    menu.addEventListener("keydown", function (event) {
      if (event.key === "Escape" && button.getAttribute("aria-expanded") === "true") {
        setOpen(false);
        button.focus();
      }
    });
  }

  // The top bar's menus (details/summary): one open at a time; a click elsewhere or
  // Escape closes them (Escape gives the focus back to the menu's button).
  function setUpNavMenus() {
    var menus = document.querySelectorAll(".topbar details.navmenu");
    function closeAll(except) {
      for (var i = 0; i < menus.length; i++) {
        if (menus[i] !== except) {
          menus[i].open = false;
        }
      }
    }
    for (var i = 0; i < menus.length; i++) {
      menus[i].addEventListener("toggle", function (event) {
        if (event.target.open) {
          closeAll(event.target);
        }
      });
      menus[i].addEventListener("keydown", function (event) {
        var menu = event.currentTarget;
        if (event.key === "Escape" && menu.open) {
          menu.open = false;
          menu.querySelector("summary").focus();
          event.stopPropagation();
        }
      });
    }
    document.addEventListener("click", function (event) {
      if (!event.target.closest || !event.target.closest(".topbar details.navmenu")) {
        closeAll(null);
      }
    });
  }

  // The timetable's day view on phones: one day at a time, today's (or the one named in
  // the address, #day-YYYY-MM-DD) first; the buttons switch days. Without JavaScript
  // every day is listed.
  function setUpDayView() {
    var view = document.getElementById("day-view");
    if (!view) {
      return;
    }
    var buttons = view.querySelectorAll(".day-button");
    var days = view.querySelectorAll(".day");
    if (!buttons.length) {
      return;
    }
    function show(key) {
      for (var i = 0; i < days.length; i++) {
        days[i].classList.toggle("is-shown", days[i].getAttribute("data-day") === key);
      }
      for (var j = 0; j < buttons.length; j++) {
        var on = buttons[j].getAttribute("data-day") === key;
        buttons[j].setAttribute("aria-pressed", on ? "true" : "false");
      }
    }
    var keys = [];
    for (var k = 0; k < days.length; k++) {
      keys.push(days[k].getAttribute("data-day"));
    }
    var wanted = window.location.hash.replace("#day-", "");
    var initial = keys.indexOf(wanted) >= 0 ? wanted : view.getAttribute("data-today");
    if (keys.indexOf(initial) < 0) {
      initial = keys[0];
    }
    view.querySelector(".day-buttons").hidden = false;
    view.classList.add("by-day");
    show(initial);
    for (var b = 0; b < buttons.length; b++) {
      buttons[b].addEventListener("click", function (event) {
        show(event.currentTarget.getAttribute("data-day"));
      });
    }
  }

  // A table wider than the screen scrolls inside its .table-wrap; keyboard users must be
  // able to reach that scrolling region too (WCAG 2.1.1), so it becomes focusable then.
  // The scrolling region's name: the table's caption, or the heading of its section,
  // followed by the word "table" (a section named by the same heading is a landmark
  // too, and two landmarks must not share a name); a number when a name repeats.
  function regionName(wrap, used) {
    var caption = wrap.querySelector("caption");
    var section = wrap.closest("section[aria-labelledby]");
    var heading = section && document.getElementById(section.getAttribute("aria-labelledby"));
    var text = (caption || heading || {}).textContent || document.title;
    var name = text.replace(/\s+/g, " ").trim() + " – " + (document.body.dataset.tableWord || "table");
    var candidate = name;
    for (var n = 2; used[candidate]; n++) {
      candidate = name + " (" + n + ")";
    }
    return candidate;
  }

  function labelScrollableTables() {
    var wraps = document.querySelectorAll(".table-wrap");
    var used = {};
    for (var i = 0; i < wraps.length; i++) {
      var wrap = wraps[i];
      var scrolls = wrap.scrollWidth > wrap.clientWidth + 1;
      if (scrolls && !wrap.hasAttribute("tabindex")) {
        wrap.dataset.scrollRegion = "auto";
        wrap.setAttribute("tabindex", "0");
        wrap.setAttribute("role", "region");
        if (!wrap.hasAttribute("aria-label") && !wrap.hasAttribute("aria-labelledby")) {
          wrap.dataset.scrollLabel = "auto";
          wrap.setAttribute("aria-label", regionName(wrap, used));
        }
        used[wrap.getAttribute("aria-label")] = true;
      } else if (!scrolls && wrap.dataset.scrollRegion === "auto") {
        // Only undo what this script added.
        delete wrap.dataset.scrollRegion;
        wrap.removeAttribute("tabindex");
        wrap.removeAttribute("role");
        if (wrap.dataset.scrollLabel === "auto") {
          delete wrap.dataset.scrollLabel;
          wrap.removeAttribute("aria-label");
          wrap.removeAttribute("aria-labelledby");
        }
      }
    }
  }

  // Colours a school chose (attendance kinds, grade categories) come as data-colour and
  // become the element's --colour: the Content-Security-Policy forbids style attributes,
  // while the CSSOM is allowed. Without JavaScript the stylesheets' neutral colour stays.
  var COLOUR = /^#[0-9a-fA-F]{6}$/;

  function applyColours() {
    var elements = document.querySelectorAll("[data-colour]");
    for (var i = 0; i < elements.length; i++) {
      var colour = elements[i].getAttribute("data-colour");
      if (COLOUR.test(colour)) {
        elements[i].style.setProperty("--colour", colour);
      }
    }
  }

  function ready() {
    setUpMenu();
    setUpNavMenus();
    setUpDayView();
    applyColours();
    labelScrollableTables();
    var timer = null;
    window.addEventListener("resize", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(labelScrollableTables, 150);
    });
    document.body.addEventListener("htmx:afterSettle", labelScrollableTables);
    document.body.addEventListener("htmx:afterSettle", applyColours);
    // A form marked data-swap-errors shows the server's answer to bad input (400) in
    // place of its previous result, so an old answer never stays beside new input.
    document.body.addEventListener("htmx:beforeSwap", function (event) {
      var config = event.detail.requestConfig;
      var elt = (config && config.elt) || event.target;
      if (event.detail.xhr.status === 400 && elt.closest && elt.closest("[data-swap-errors]")) {
        event.detail.shouldSwap = true;
        event.detail.isError = false;
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
