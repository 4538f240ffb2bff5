// The app shell (part of the service worker, see /sw.js).
// - Precaches the app shell and the offline pages at install (cache names carry VERSION).
// - Pages (navigations and htmx-boosted page loads): network only, never stored; when offline,
//   the offline page.
// - Static assets (/static/, content-hashed URLs): cache first.
// - On activate, every cache but the current ones is deleted: an old static cache would otherwise
//   keep every earlier version of every asset on the phone.
// - Never caches non-GET requests, htmx fragment requests or anything else with personal data.
"use strict";

const SHELL_CACHE = "shell-" + VERSION;
const STATIC_CACHE = "static-" + VERSION;
const CURRENT_CACHES = [SHELL_CACHE, STATIC_CACHE];

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches.open(SHELL_CACHE)
      .then((cache) => cache.addAll(SHELL))
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys()
      .then((names) => Promise.all(
        names.filter((name) => !CURRENT_CACHES.includes(name)).map((name) => caches.delete(name))
      ))
      .then(() => self.clients.claim())
  );
});

async function cacheFirst(request) {
  const cached = await caches.match(request);
  if (cached) {
    return cached;
  }
  const response = await fetch(request);
  if (response.ok) {
    const cache = await caches.open(STATIC_CACHE);
    cache.put(request, response.clone());
  }
  return response;
}

async function pageOrOffline(request) {
  try {
    return await fetch(request);
  } catch (error) {
    const offline = await caches.match("/offline");
    return offline || Response.error();
  }
}

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  const boosted = request.headers.get("HX-Boosted") === "true";
  if (url.origin !== self.location.origin || request.method !== "GET"
      || (request.headers.get("HX-Request") && !boosted)) {
    return; // the browser handles it (order posts: outbox.js): forms, htmx fragments, other sites
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate" || boosted) {
    event.respondWith(pageOrOffline(request));
  }
});
