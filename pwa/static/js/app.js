// Fælles Bestilling: progressive enhancement only; every page works without this file.
"use strict";

// Register the service worker (offline pages, cached app shell, orders kept while offline).
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(askToSendKeptOrders).catch(function (error) {
      console.warn("Service worker registration failed", error);
    });
  });

  // The service worker tells us when an order it kept has been sent: show the receipt (once).
  var receiptShown = null;
  navigator.serviceWorker.addEventListener("message", function (event) {
    var data = event.data || {};
    if (data.type !== "order-sent" || (data.url && (data.url === receiptShown || data.url === window.location.href))) {
      return;
    }
    var status = document.querySelector("[data-queued-status]");
    if (status && status.dataset.sentText) {
      status.textContent = status.dataset.sentText;
    }
    if (data.ok && data.url) {
      receiptShown = data.url;
      window.location.assign(data.url);
    }
  });
}

function askToSendKeptOrders() {
  if (navigator.onLine && navigator.serviceWorker && navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage({ type: "send-orders" });
  }
}

// Offline notes next to order buttons are shown only while the phone is offline.
function showOfflineNotes() {
  var offline = !navigator.onLine;
  document.querySelectorAll("[data-offline-note]").forEach(function (note) {
    note.hidden = !offline;
  });
}

window.addEventListener("online", function () {
  showOfflineNotes();
  askToSendKeptOrders();
});
window.addEventListener("offline", showOfflineNotes);
document.addEventListener("DOMContentLoaded", showOfflineNotes);
document.addEventListener("htmx:afterSettle", showOfflineNotes);

// htmx requests from order forms carry the form's idempotency key as a header too.
document.addEventListener("htmx:configRequest", function (event) {
  var form = event.detail.elt && event.detail.elt.closest && event.detail.elt.closest("form[data-offline-order]");
  var field = form && form.querySelector("input[name=idempotency_key]");
  if (field) {
    event.detail.headers["Idempotency-Key"] = field.value;
  }
});

// Page-specific scripts (e.g. data-script on the notifications page) are loaded on demand, also
// after htmx navigation, which does not run scripts in swapped content.
function loadPageScripts() {
  document.querySelectorAll("[data-script]").forEach(function (element) {
    var src = element.getAttribute("data-script");
    if (!document.querySelector('script[src="' + src + '"]')) {
      var script = document.createElement("script");
      script.src = src;
      document.head.appendChild(script);
    }
  });
}
document.addEventListener("DOMContentLoaded", loadPageScripts);
document.addEventListener("htmx:afterSettle", loadPageScripts);

// After an htmx-boosted navigation, move focus to the main content so screen readers
// announce the new page (as a full page load would).
document.addEventListener("htmx:afterSettle", function (event) {
  if (event.detail && event.detail.boosted) {
    var main = document.getElementById("main-content");
    if (main) {
      main.focus({ preventScroll: false });
    }
  }
});
