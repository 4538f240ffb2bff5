// Fælles Bestilling service worker, served at /sw.js with scope / by backend/web/pwa.py, which
// fills in the placeholders. Each concern is a small file under /static/sw/, imported by its
// content-hashed URL: a change in any part changes this file, so the browser installs the new
// worker (and VERSION, which names the caches, changes with it).
//   shell.js   app shell, offline pages, static asset cache; old caches deleted on activate
//   outbox.js  orders tapped while offline (or while the server had trouble), kept and sent later
//   push.js    Web Push notices, taps on them, subscription renewal
"use strict";

const VERSION = "__VERSION__";
const SHELL = __SHELL__;
const VAPID_PUBLIC_KEY = "__VAPID_PUBLIC_KEY__";

importScripts(...__PARTS__);
