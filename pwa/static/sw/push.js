// Web Push (part of the service worker, see /sw.js).
// The server sends {title, body, url, tag, icon, type} (backend/push/notices.py), already in the
// citizen's language. The tag is per parcel, so "delivered" replaces "out for delivery".
"use strict";

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
