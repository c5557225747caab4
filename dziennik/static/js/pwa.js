/* Dziennik: the installable app on every page. Registers the service worker (/sw.js,
   portal/pwa.py) and, on a page the worker served from its offline copy, shows the
   banner with the time the copy was saved. Plain JavaScript, no inline code (CSP). */
(function () {
  "use strict";

  var root = document.documentElement;
  var saved = root.getAttribute("data-offline-since");
  var banner = document.getElementById("offline-banner");
  if (saved && banner) {
    var when = new Date(saved);
    var time = banner.querySelector("time");
    time.setAttribute("datetime", saved);
    time.textContent = isNaN(when) ? saved : when.toLocaleString(root.lang || undefined, {
      dateStyle: "short", timeStyle: "short"
    });
    banner.hidden = false;
  }

  if ("serviceWorker" in navigator && root.getAttribute("data-sw")) {
    var register = function () {
      navigator.serviceWorker.register(root.getAttribute("data-sw"), { scope: "/" })
        .catch(function () { /* no offline copies then; every page still works */ });
    };
    if (document.readyState === "complete") {
      register();
    } else {
      window.addEventListener("load", register);
    }
  }
})();
