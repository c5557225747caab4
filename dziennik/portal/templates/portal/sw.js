/* Dziennik's service worker (dziennik/portal/pwa.py), version __VERSION__.
   - push: shows the register's notification; a tap opens its page;
   - keeps the app's shell (the layout's files, the offline page);
   - grade and timetable pages: network first, and offline the last copy seen, marked
     with the time it was saved (the page's pwa.js shows the banner);
   - a login or a logout (their forms' POST) empties the kept pages: they were the
     previous person's. */
"use strict";

const CONFIG = {{ config|safe }};
const SHELL = "dziennik-shell-__VERSION__";
const PAGES = "dziennik-pages";
const MAX_PAGES = 30;

function paths(list) {
  // a URLPattern of its own: every part but the path is a wildcard (an init dictionary
  // would take the worker's own address for them, and no query would match)
  return list.map((pathname) => ({ urlPattern: new URLPattern({ pathname: pathname }) }));
}

// Chromium's static routing: requests the worker has nothing to do with (files, other
// pages) go straight to the network without waking it; a download (a PDF, a CSV, an
// attachment) is then the browser's own, as without a worker. Elsewhere every request
// comes to the fetch handler below, which lets what it does not know pass.
function routes(event) {
  if (!event.addRoutes) {
    return Promise.resolve();
  }
  const mine = CONFIG.kept.map((prefix) => prefix + "*").concat(CONFIG.clearing);
  return event.addRoutes([
    { condition: { or: paths(CONFIG.shell) }, source: "fetch-event" },
    { condition: { urlPattern: new URLPattern({ pathname: "*.*" }) }, source: "network" },
    { condition: { not: { or: paths(mine) } }, source: "network" },
  ]).catch(() => undefined);
}

self.addEventListener("install", (event) => {
  event.waitUntil(
    Promise.all([routes(event), caches.open(SHELL).then((cache) => cache.addAll(CONFIG.shell))])
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => name.startsWith("dziennik-shell-") && name !== SHELL)
          .map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

function isKept(url) {
  return CONFIG.kept.some((prefix) => url.pathname.startsWith(prefix));
}

function keep(request, response) {
  const type = response.headers.get("Content-Type") || "";
  if (!response.ok || response.redirected || !type.startsWith("text/html")) {
    return Promise.resolve();
  }
  return response.blob().then((body) => {
    const headers = new Headers(response.headers);
    headers.delete("Content-Length");
    headers.delete("Content-Encoding");
    headers.set("X-Dziennik-Saved", new Date().toISOString());
    const copy = new Response(body, { status: 200, headers: headers });
    return caches.open(PAGES).then((cache) =>
      cache.delete(request.url)
        .then(() => cache.put(request.url, copy))
        .then(() => cache.keys())
        .then((keys) => Promise.all(
          keys.slice(0, Math.max(keys.length - MAX_PAGES, 0)).map((key) => cache.delete(key))
        ))
    );
  });
}

function fromCopy(request) {
  return caches.open(PAGES)
    .then((cache) => cache.match(request.url, { ignoreVary: true }))
    .then((copy) => {
      if (!copy) {
        return caches.match(CONFIG.offline, { cacheName: SHELL });
      }
      const saved = copy.headers.get("X-Dziennik-Saved") || "";
      return copy.text().then((html) => new Response(
        html.replace("<html ", '<html data-offline-since="' + saved + '" '),
        { status: 200, headers: copy.headers }
      ));
    });
}

function networkFirst(event) {
  return fetch(event.request).then((response) => {
    event.waitUntil(keep(event.request, response.clone()));
    return response;
  }).catch(() => fromCopy(event.request).then((answer) => answer || Response.error()));
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && CONFIG.clearing.includes(url.pathname)) {
    // The browser sends the form as usual; the kept pages go meanwhile.
    event.waitUntil(caches.delete(PAGES));
    return;
  }
  if (request.method !== "GET") {
    return;
  }
  if (request.mode === "navigate" && !url.pathname.endsWith("/")) {
    // a file (a PDF printout, a calendar feed): the browser's own handling, untouched
    return;
  }
  if (request.mode === "navigate" && isKept(url)) {
    event.respondWith(networkFirst(event));
  } else if (CONFIG.shell.includes(url.pathname)) {
    event.respondWith(fetch(request).catch(() =>
      caches.match(url.pathname, { cacheName: SHELL }).then((file) => file || Response.error())
    ));
  }
});

self.addEventListener("push", (event) => {
  let message = {};
  try {
    message = event.data ? event.data.json() : {};
  } catch (error) {
    message = { body: event.data ? event.data.text() : "" };
  }
  event.waitUntil(self.registration.showNotification(message.title || "Dziennik", {
    body: message.body || "",
    tag: message.tag || undefined,
    lang: "pl",
    icon: CONFIG.shell.find((path) => path.includes("icon-192")),
    data: { url: message.url || CONFIG.centre },
  }));
});

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const target = new URL((event.notification.data && event.notification.data.url) || "/",
    self.location.origin);
  if (target.origin !== self.location.origin) {
    return;
  }
  event.waitUntil(
    self.clients.matchAll({ type: "window", includeUncontrolled: true }).then((windows) => {
      for (const client of windows) {
        if (new URL(client.url).origin === target.origin && "navigate" in client) {
          return client.focus().then(() => client.navigate(target.href));
        }
      }
      return self.clients.openWindow(target.href);
    })
  );
});
