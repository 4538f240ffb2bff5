// Fælles Bestilling: progressive enhancement only; every page works without this file.
"use strict";

// Register the service worker (offline page, cached app shell).
if ("serviceWorker" in navigator) {
  window.addEventListener("load", function () {
    navigator.serviceWorker.register("/sw.js", { scope: "/" }).catch(function (error) {
      console.warn("Service worker registration failed", error);
    });
  });
}

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
