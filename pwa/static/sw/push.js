// Web Push (part of the service worker, see /sw.js).
// The server sends {title, body, url, tag, icon, type} (backend/push/notices.py), already in the
// citizen's language. The tag is per parcel, so "delivered" replaces "out for delivery" and the
// phone alerts again (renotify). The same notice can arrive twice: the worker sends it again when
// it was killed between the push service's answer and recording it. A repeat of the notice last
// shown under its tag replaces it silently, also when the citizen has already swiped it away.
"use strict";

const NOTICE_DB = "fsc-notices";
const REPEAT_WINDOW_MS = 24 * 3600 * 1000; // repeats arrive within minutes; a day is ample

function noticeStore(mode, action) {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(NOTICE_DB, 1);
    open.onupgradeneeded = () => open.result.createObjectStore("last", { keyPath: "tag" });
    open.onerror = () => reject(open.error);
    open.onsuccess = () => {
      const tx = open.result.transaction("last", mode);
      const request = action(tx.objectStore("last"));
      tx.oncomplete = () => resolve(request.result);
      tx.onerror = () => reject(tx.error);
    };
  });
}

async function lastNotice(tag) {
  try {
    const shown = await self.registration.getNotifications({ tag });
    if (shown.length && shown[0].data && shown[0].data.notice) {
      return shown[0].data.notice;
    }
    const last = await noticeStore("readonly", (store) => store.get(tag));
    return last && Date.now() - last.at < REPEAT_WINDOW_MS ? last.notice : null;
  } catch (error) {
    return null; // no memory of it: alert, as for a new notice
  }
}

async function showNotice(data) {
  const title = data.title || "Fælles Bestilling";
  const tag = data.tag || "fsc";
  // What the citizen is told; the same notice sent twice says exactly the same.
  const notice = [data.type, title, data.body, data.url].join("\n");
  const repeat = Boolean(data.tag) && (await lastNotice(tag)) === notice;
  await self.registration.showNotification(title, {
    body: data.body || "",
    icon: data.icon || "/static/icons/icon-192.png",
    tag,
    renotify: Boolean(data.tag) && !repeat,
    silent: repeat,
    data: { url: data.url || "/", notice },
  });
  if (data.tag) {
    await noticeStore("readwrite", (store) => store.put({ tag, notice, at: Date.now() })).catch(() => null);
  }
}

self.addEventListener("push", (event) => {
  let data = {};
  try {
    data = event.data ? event.data.json() : {};
  } catch (error) {
    data = {};
  }
  event.waitUntil(showNotice(data));
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
