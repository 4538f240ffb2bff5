// Fælles Bestilling: turn on Web Push notifications for this phone (the /notifications page).
// Loaded on demand by app.js where an element has data-push. Subscribing needs the person's tap
// (iOS requires it, and the app must be installed on the home screen there). The subscription is
// sent to the server with the page's CSRF token; the server stores it for this citizen.
"use strict";

(function () {
  function keyBytes(base64url) {
    var text = base64url.replace(/-/g, "+").replace(/_/g, "/");
    var raw = atob(text + "===".slice((text.length + 3) % 4));
    var bytes = new Uint8Array(raw.length);
    for (var i = 0; i < raw.length; i++) {
      bytes[i] = raw.charCodeAt(i);
    }
    return bytes;
  }

  function sameKey(subscription, key) {
    var current = subscription.options && subscription.options.applicationServerKey;
    if (!current) {
      return true; // the browser does not tell: assume it is ours
    }
    var a = new Uint8Array(current);
    if (a.length !== key.length) {
      return false;
    }
    for (var i = 0; i < a.length; i++) {
      if (a[i] !== key[i]) {
        return false;
      }
    }
    return true;
  }

  function csrfToken() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["x-csrftoken"] || "";
    } catch (error) {
      return "";
    }
  }

  function send(subscription) {
    return fetch("/notifications/subscriptions", {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrfToken() },
      body: JSON.stringify(subscription.toJSON()),
    });
  }

  // A subscription for the current key (an old key after key rotation is replaced).
  async function subscribe(registration, key) {
    var subscription = await registration.pushManager.getSubscription();
    if (subscription && !sameKey(subscription, key)) {
      await subscription.unsubscribe();
      subscription = null;
    }
    return subscription || registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: key });
  }

  function setup(root) {
    if (root.dataset.pushReady) {
      return;
    }
    root.dataset.pushReady = "1";
    var button = root.querySelector("[data-push-button]");
    var status = root.querySelector("[data-push-status]");
    var key = keyBytes(root.dataset.publicKey);
    root.querySelector("[data-push-nojs]").hidden = true;
    if (!("serviceWorker" in navigator && "PushManager" in window && "Notification" in window)) {
      status.textContent = root.dataset.textUnsupported;
      return;
    }
    button.hidden = false;

    // Already allowed: keep the server in step (and renew after a key change) without a tap.
    if (Notification.permission === "granted") {
      navigator.serviceWorker.ready.then(async function (registration) {
        var existing = await registration.pushManager.getSubscription();
        if (existing) {
          var subscription = await subscribe(registration, key);
          var response = await send(subscription);
          if (response.ok) {
            status.textContent = root.dataset.textOn;
          }
        }
      }).catch(function () { /* the button still works */ });
    }

    button.addEventListener("click", async function () {
      button.disabled = true;
      status.textContent = root.dataset.textWorking;
      try {
        // Asked in the tap itself: browsers (and iOS) only allow the question after a user gesture.
        var permission = await Notification.requestPermission();
        if (permission !== "granted") {
          status.textContent = root.dataset.textDenied;
          return;
        }
        var registration = await navigator.serviceWorker.ready;
        var response = await send(await subscribe(registration, key));
        if (!response.ok) {
          var problem = await response.json().catch(function () { return {}; });
          status.textContent = problem.detail || root.dataset.textFailed;
          return;
        }
        status.textContent = root.dataset.textDone;
        window.location.reload(); // show the phone in "My devices"
      } catch (error) {
        status.textContent = root.dataset.textFailed;
      } finally {
        button.disabled = false;
      }
    });
  }

  function setupAll() {
    document.querySelectorAll("[data-push]").forEach(setup);
  }

  setupAll();
  document.addEventListener("htmx:afterSettle", setupAll);
})();
