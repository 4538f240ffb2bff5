// Fælles Bestilling service worker.
// - Precaches the app shell and the offline page at install (versioned cache names).
// - Pages (navigations and htmx-boosted page loads): network only, never stored;
//   when offline, the offline page.
// - Static assets (/static/, content-hashed URLs): cache first.
// - Never caches non-GET requests, htmx fragment requests or anything else with personal data.
"use strict";

const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const SHELL_CACHE = "shell-" + VERSION;
const STATIC_CACHE = "static-v1";

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
        names.filter((name) => name.startsWith("shell-") && name !== SHELL_CACHE)
          .map((name) => caches.delete(name))
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
  const boosted = request.headers.get("HX-Boosted") === "true";
  if (request.method !== "GET" || (request.headers.get("HX-Request") && !boosted)) {
    return; // let the browser handle it: forms, htmx fragments
  }
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate" || boosted) {
    event.respondWith(pageOrOffline(request));
  }
});
