/* Dziennik: Web Push on this device (the notification settings page).
   Asks the browser for permission, subscribes through the service worker (/sw.js) with
   the register's VAPID public key and posts the subscription to the register; the
   button switches it off again. Plain JavaScript, no inline code (CSP). */
(function () {
  "use strict";

  var section = document.getElementById("push");
  if (!section) {
    return;
  }
  var status = document.getElementById("push-status");
  var button = document.getElementById("push-toggle");
  var text = function (name) { return section.getAttribute("data-text-" + name); };

  function csrfToken() {
    var body = document.body.getAttribute("hx-headers");
    try {
      return JSON.parse(body)["X-CSRFToken"];
    } catch (error) {
      return "";
    }
  }

  function post(url, data) {
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(data)
    });
  }

  function keyBytes(base64url) {
    var padded = (base64url + "===".slice((base64url.length + 3) % 4))
      .replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(padded);
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function deviceLabel() {
    var agent = navigator.userAgent;
    var browser = /Edg\//.test(agent) ? "Edge" : /Firefox\//.test(agent) ? "Firefox"
      : /Chrome\//.test(agent) ? "Chrome" : /Safari\//.test(agent) ? "Safari" : "";
    var system = /Android/.test(agent) ? "Android" : /iPhone|iPad/.test(agent) ? "iOS"
      : /Windows/.test(agent) ? "Windows" : /Mac OS/.test(agent) ? "macOS"
      : /Linux/.test(agent) ? "Linux" : "";
    return [browser, system].filter(Boolean).join(", ");
  }

  function show(subscribed) {
    status.textContent = text(subscribed ? "on" : "off");
    button.textContent = section.getAttribute(subscribed ? "data-label-off" : "data-label-on");
    button.setAttribute("aria-pressed", subscribed ? "true" : "false");
    button.hidden = false;
  }

  if (!("serviceWorker" in navigator) || !("PushManager" in window) || !("Notification" in window)) {
    status.textContent = text("unsupported");
    return;
  }

  var registration = null;
  var current = null;

  function subscribe() {
    return Notification.requestPermission().then(function (permission) {
      if (permission !== "granted") {
        status.textContent = text("denied");
        return;
      }
      return registration.pushManager.subscribe({
        userVisibleOnly: true,
        applicationServerKey: keyBytes(section.getAttribute("data-push-key"))
      }).then(function (subscription) {
        var data = subscription.toJSON();
        data.label = deviceLabel();
        return post(section.getAttribute("data-subscribe-url"), data).then(function (answer) {
          if (!answer.ok) {
            return answer.json().then(function (body) {
              subscription.unsubscribe();
              status.textContent = (body && body.error) || text("failed");
            });
          }
          current = subscription;
          show(true);
        });
      });
    });
  }

  function unsubscribe() {
    var endpoint = current.endpoint;
    return current.unsubscribe().then(function () {
      current = null;
      show(false);
      return post(section.getAttribute("data-unsubscribe-url"), { endpoint: endpoint });
    });
  }

  button.addEventListener("click", function () {
    button.disabled = true;
    (current ? unsubscribe() : subscribe()).catch(function () {
      status.textContent = text("failed");
    }).then(function () {
      button.disabled = false;
    });
  });

  navigator.serviceWorker.register(document.documentElement.getAttribute("data-sw") || "/sw.js")
    .then(function () { return navigator.serviceWorker.ready; })
    .then(function (ready) {
      registration = ready;
      return ready.pushManager.getSubscription();
    })
    .then(function (subscription) {
      current = subscription;
      if (Notification.permission === "denied") {
        status.textContent = text("denied");
        button.hidden = true;
        return;
      }
      if (!subscription) {
        show(false);
        return;
      }
      // The browser's subscription is this person's now (the register may have
      // forgotten it, or another person subscribed this browser before).
      var data = subscription.toJSON();
      data.label = deviceLabel();
      return post(section.getAttribute("data-subscribe-url"), data).then(function (answer) {
        current = answer.ok ? subscription : null;
        show(answer.ok);
      });
    })
    .catch(function () {
      status.textContent = text("unsupported");
    });
})();
