// Fælles Bestilling: progressive enhancement only; every page works without this file.
"use strict";

// The typeface (Faelles Sans) after the first paint of a first visit: the text shows at once in
// its sized fallback and the fonts never hold it back on a slow network. When the service worker
// controls the page it has the fonts (precached), so they are used from the start (issue 17 §5).
(function turnOnTypeface() {
  var root = document.documentElement;
  function on() { root.classList.add("fonts-ready"); }
  if ("serviceWorker" in navigator && navigator.serviceWorker.controller) {
    on();
  } else {
    requestAnimationFrame(function () { setTimeout(on, 0); });
  }
})();

// Register the service worker (offline pages, cached app shell, orders kept while offline).
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).then(askToSendKeptOrders).catch(function (error) {
      console.warn("Service worker registration failed", error);
    });
  });
  navigator.serviceWorker.addEventListener("message", function (event) {
    if (event.data && event.data.type === "outbox") {
      showOutbox(event.data);
    }
  });
}

// --- Orders kept on this phone (pwa/static/sw/outbox.js) ----------------------------------------
// Tell the citizen the truth about them: sent (with the receipt), refused (and why), waiting for
// a login, or still waiting. The texts are on the page (partials/outbox_status.html).
var outboxRetry = null;
var leavingPage = false;

function askToSendKeptOrders() {
  var panel = document.querySelector("[data-outbox]");
  if (!navigator.serviceWorker || !panel) {
    return;
  }
  panel.setAttribute("data-outbox-asked", "");
  var message = { type: "send-orders", send: navigator.onLine };
  if (panel.hasAttribute("data-owner")) {
    message.owner = panel.getAttribute("data-owner");
    message.csrf = panel.getAttribute("data-csrf") || null;
  }
  postToWorker(message);
}

function postToWorker(message) {
  if (navigator.serviceWorker.controller) {
    navigator.serviceWorker.controller.postMessage(message);
    return;
  }
  navigator.serviceWorker.ready.then(function (registration) {
    if (registration.active) {
      registration.active.postMessage(message);
    }
  });
}

function showOutboxAlert(panel, name, shown) {
  var alert = panel.querySelector('[data-outbox-show="' + name + '"]');
  if (alert && alert.hidden === shown) {
    alert.hidden = !shown;
  }
  return alert;
}

function showOutbox(state) {
  var panel = document.querySelector("[data-outbox]");
  if (!panel || leavingPage) {
    return;
  }
  var signedIn = Boolean(panel.getAttribute("data-owner"));
  var queuedPage = document.querySelector("[data-queued-page]");
  var pending = state.waiting + state.login;
  var told = state.accepted.concat(state.refused);
  if (queuedPage && !pending && told.length) {
    // The page that said "waiting" is no longer true: one order sent shows its receipt; else the
    // front page says what happened (and what can be ordered now).
    leavingPage = true;
    if (told.length === 1 && state.accepted.length === 1) {
      postToWorker({ type: "outcomes-seen", keys: [told[0].key] });
      window.location.assign(state.accepted[0].receipt);
    } else {
      window.location.assign("/");
    }
    return;
  }
  if (told.length) {
    postToWorker({ type: "outcomes-seen", keys: told.map(function (outcome) { return outcome.key; }) });
  }
  if (state.accepted.length) {
    var receipt = state.accepted.length === 1 ? state.accepted[0].receipt : "/orders";
    showOutboxAlert(panel, "accepted", true).querySelector("[data-outbox-receipt]").href = receipt;
  }
  if (state.refused.length) {
    var refused = showOutboxAlert(panel, "refused", true);
    var reason = refused.querySelector("[data-outbox-reason]");
    reason.textContent = state.refused.map(function (outcome) {
      return outcome.message || reason.getAttribute("data-general");
    }).join(" ");
    refused.querySelector("[data-outbox-home]").hidden = window.location.pathname === "/";
  }
  // Signed in: an order that met a login page is sent from this page (with its CSRF token).
  showOutboxAlert(panel, "login", state.login > 0 && !signedIn);
  showOutboxAlert(panel, "waiting", !queuedPage && state.waiting + (signedIn ? state.login : 0) > 0);
  clearTimeout(outboxRetry);
  if (state.waiting && state.retryIn !== null && navigator.onLine) {
    outboxRetry = setTimeout(askToSendKeptOrders, Math.min(Math.max(state.retryIn, 1000), 300000));
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
// htmx brought a new page (maybe after a login): tell the worker who is here now.
document.addEventListener("htmx:afterSettle", function () {
  var panel = document.querySelector("[data-outbox]");
  if (panel && !panel.hasAttribute("data-outbox-asked") && navigator.serviceWorker) {
    askToSendKeptOrders();
  }
});

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
