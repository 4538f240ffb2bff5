// Fælles Bestilling service worker.
// - Precaches the app shell and the offline pages at install (versioned cache names).
// - Pages (navigations and htmx-boosted page loads): network only, never stored;
//   when offline, the offline page.
// - Static assets (/static/, content-hashed URLs): cache first.
// - Orders posted while offline are kept in IndexedDB with their idempotency key and sent when
//   the phone is back online (Background Sync where available, else when a page asks us to).
//   The server accepts each key once, so a replay can never place a second order.
// - Never caches non-GET requests, htmx fragment requests or anything else with personal data.
"use strict";

const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const SHELL_CACHE = "shell-" + VERSION;
const STATIC_CACHE = "static-v1";
const ORDER_PATHS = ["/orders/reorder", "/orders/"];
const DB_NAME = "fsc-outbox";
const STORE = "orders";

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

// --- the order outbox (IndexedDB) --------------------------------------------------------------

function openOutbox() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(DB_NAME, 1);
    open.onupgradeneeded = () => open.result.createObjectStore(STORE, { keyPath: "key" });
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

async function outbox(mode, action) {
  const db = await openOutbox();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(STORE, mode);
    const result = action(tx.objectStore(STORE));
    tx.oncomplete = () => resolve(result.result);
    tx.onerror = () => reject(tx.error);
  });
}

async function keepOrder(request) {
  const body = await request.clone().text();
  const key = request.headers.get("Idempotency-Key") || new URLSearchParams(body).get("idempotency_key");
  if (!key) {
    return null;
  }
  const headers = {};
  for (const name of ["Content-Type", "X-CSRFToken", "Idempotency-Key"]) {
    const value = request.headers.get(name);
    if (value) {
      headers[name] = value;
    }
  }
  await outbox("readwrite", (store) => store.put({ key, url: request.url, body, headers, kept: Date.now() }));
  if (self.registration.sync) {
    try {
      await self.registration.sync.register("send-orders");
    } catch (error) {
      // Background Sync refused: the pages ask us to send when they see the phone online.
    }
  }
  return key;
}

// One run at a time: the Background Sync event and a page's "send-orders" message often arrive
// together when the phone comes online. Two overlapping runs would both post the same kept order
// (the server knows its key, so still one order) and both tell the page, which then navigated twice.
let sending = Promise.resolve();

function sendKeptOrders() {
  sending = sending.then(sendKeptOrdersNow, sendKeptOrdersNow);
  return sending;
}

async function sendKeptOrdersNow() {
  const kept = await outbox("readonly", (store) => store.getAll());
  for (const item of kept) {
    let response;
    try {
      response = await fetch(item.url, {
        method: "POST", body: item.body, headers: item.headers, credentials: "same-origin",
      });
    } catch (error) {
      return; // still offline: keep everything for the next try
    }
    if (response.status >= 500) {
      return; // the server has trouble: try again later
    }
    await outbox("readwrite", (store) => store.delete(item.key));
    const clients = await self.clients.matchAll({ type: "window" });
    for (const client of clients) {
      client.postMessage({ type: "order-sent", ok: response.ok, url: response.url, status: response.status });
    }
  }
}

async function orderOrKeep(request) {
  const copy = request.clone();
  try {
    return await fetch(request);
  } catch (error) {
    const key = await keepOrder(copy);
    const page = key && await caches.match("/offline/queued");
    return page || Response.error();
  }
}

self.addEventListener("sync", (event) => {
  if (event.tag === "send-orders") {
    event.waitUntil(sendKeptOrders());
  }
});

self.addEventListener("message", (event) => {
  if (event.data && event.data.type === "send-orders") {
    event.waitUntil(sendKeptOrders());
  }
});

self.addEventListener("fetch", (event) => {
  const request = event.request;
  const url = new URL(request.url);
  if (url.origin !== self.location.origin) {
    return;
  }
  if (request.method === "POST" && ORDER_PATHS.includes(url.pathname)) {
    event.respondWith(orderOrKeep(request));
    return;
  }
  const boosted = request.headers.get("HX-Boosted") === "true";
  if (request.method !== "GET" || (request.headers.get("HX-Request") && !boosted)) {
    return; // let the browser handle it: forms, htmx fragments
  }
  if (url.pathname.startsWith("/static/")) {
    event.respondWith(cacheFirst(request));
  } else if (request.mode === "navigate" || boosted) {
    event.respondWith(pageOrOffline(request));
  }
});

// --- Web Push -----------------------------------------------------------------------------------
// The server sends {title, body, url, tag, icon, type} (backend/push/notices.py), already in the
// citizen's language. The tag is per parcel, so "delivered" replaces "out for delivery".

const VAPID_PUBLIC_KEY = "__VAPID_PUBLIC_KEY__";

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  const title = data.title || "Fælles Bestilling";
  event.waitUntil(self.registration.showNotification(title, {
    body: data.body || "",
    icon: data.icon || "/static/icons/icon-192.png",
    tag: data.tag || "fsc",
    renotify: Boolean(data.tag),
    data: { url: data.url || "/" },
  }));
});

// Tapping a notification: reuse an open window of the app (go to the page and focus it), else open one.
async function openFromNotification(path) {
  const target = new URL(path, self.location.origin).href;
  const windows = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const client of windows) {
    if (new URL(client.url).origin === self.location.origin) {
      const navigated = client.url === target ? client : await client.navigate(target).catch(() => null);
      const shown = navigated || client;
      return shown.focus ? shown.focus().catch(() => shown) : shown;
    }
  }
  return self.clients.openWindow(target);
}

self.addEventListener("notificationclick", (event) => {
  event.notification.close();
  const path = (event.notification.data && event.notification.data.url) || "/";
  event.waitUntil(openFromNotification(path));
});

// The push service replaced this phone's subscription: subscribe again and tell the server,
// proving we held the old one by its auth secret (no page, so no CSRF token or login needed).
function base64url(buffer) {
  return btoa(String.fromCharCode(...new Uint8Array(buffer)))
    .replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function keyBytes(text) {
  const raw = atob(text.replace(/-/g, "+").replace(/_/g, "/") + "===".slice((text.length + 3) % 4));
  return Uint8Array.from(raw, (c) => c.charCodeAt(0));
}

async function renewSubscription(oldSubscription) {
  if (!oldSubscription || !VAPID_PUBLIC_KEY) {
    return; // nothing to prove it with: the page subscribes again the next time it is opened
  }
  const fresh = await self.registration.pushManager.subscribe({
    userVisibleOnly: true, applicationServerKey: keyBytes(VAPID_PUBLIC_KEY),
  });
  await fetch("/notifications/subscriptions/renew", {
    method: "POST",
    credentials: "same-origin",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify(Object.assign(fresh.toJSON(), {
      old_endpoint: oldSubscription.endpoint, old_auth: base64url(oldSubscription.getKey("auth")),
    })),
  });
}

self.addEventListener("pushsubscriptionchange", (event) => {
  event.waitUntil(renewSubscription(event.oldSubscription));
});
