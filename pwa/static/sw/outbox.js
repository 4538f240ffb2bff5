// The order outbox (part of the service worker, see /sw.js).
// An order tapped while the phone is offline, or while the server has trouble (5xx), is kept in
// IndexedDB with its idempotency key and sent later: by Background Sync where available, else
// when a page asks (app.js: at every page load, when the phone comes online, and after the wait
// the server asked for). The server accepts each key once, so a replay never orders twice.
// A kept order stays kept until the server has
//   - accepted it: the POST answers 303 to the receipt (/orders/<id>), or
//   - refused it: the answer carries X-Order-Refused (the translated reason), or is another 4xx;
// the outcome is then stored until a page of the same person has shown it (app.js).
// A login page (or 401/403) means the session ended while offline: the order waits for the same
// person to log in again, and is then sent with the new page's CSRF token (the stored one may
// belong to the old session).
"use strict";

const ORDER_PATHS = ["/orders/reorder", "/orders/"];
const OUTBOX_DB = "fsc-outbox";
const REFUSAL_HEADER = "X-Order-Refused";
const PASSING_FAULTS = [408, 425, 429]; // 4xx that mean "try again later", not "no"
const MAX_WAIT_MS = 10 * 60 * 1000;

function openOutbox() {
  return new Promise((resolve, reject) => {
    const open = indexedDB.open(OUTBOX_DB, 2);
    open.onupgradeneeded = () => {
      // Version 1 had only "orders" (the same records, without owner and state).
      for (const [name, keyPath] of [["orders", "key"], ["outcomes", "key"], ["meta", "name"]]) {
        if (!open.result.objectStoreNames.contains(name)) {
          open.result.createObjectStore(name, { keyPath });
        }
      }
    };
    open.onsuccess = () => resolve(open.result);
    open.onerror = () => reject(open.error);
  });
}

// One transaction over ``names``; resolves with the result of the request ``action`` returns.
async function inTransaction(names, mode, action) {
  const db = await openOutbox();
  return new Promise((resolve, reject) => {
    const tx = db.transaction(names, mode);
    const request = action(tx);
    tx.oncomplete = () => { db.close(); resolve(request && request.result); };
    tx.onerror = () => { db.close(); reject(tx.error); };
  });
}

function outbox(name, mode, action) {
  return inTransaction(name, mode, (tx) => action(tx.objectStore(name)));
}

// Who is signed in, as the last page said (an opaque name, "" when signed out, undefined when no
// page has said yet). Kept in IndexedDB: the worker is stopped between events.
async function currentOwner() {
  const row = await outbox("meta", "readonly", (store) => store.get("owner"));
  return row ? row.value : undefined;
}

function setOwner(value) {
  return outbox("meta", "readwrite", (store) => store.put({ name: "owner", value }));
}

function belongsTo(record, owner) {
  return record.owner === undefined || owner === undefined || record.owner === owner;
}

// --- keeping an order -------------------------------------------------------------------------

function backoff(tries) {
  return Math.min(2000 * 2 ** Math.max(tries - 1, 0), 60000);
}

// The server's Retry-After (seconds or a date), else our back-off; never more than 10 minutes.
function retryAfterMs(response, tries) {
  const header = response.headers.get("Retry-After") || "";
  const wait = /^\d+$/.test(header) ? Number(header) * 1000 : Date.parse(header) - Date.now();
  return Math.min(wait >= 0 ? wait : backoff(tries), MAX_WAIT_MS);
}

async function keepOrder(request, failed) {
  const body = await request.clone().text();
  const key = request.headers.get("Idempotency-Key") || new URLSearchParams(body).get("idempotency_key");
  if (!key) {
    return null;
  }
  const names = ["Content-Type", "X-CSRFToken", "Idempotency-Key"].filter((name) => request.headers.has(name));
  const headers = Object.fromEntries(names.map((name) => [name, request.headers.get(name)]));
  const owner = await currentOwner();
  const tries = failed ? 1 : 0;
  const retryAt = failed ? Date.now() + retryAfterMs(failed, tries) : 0;
  await outbox("orders", "readwrite", (store) => store.put({
    key, url: request.url, body, headers, kept: Date.now(), owner, state: "waiting", tries, retryAt,
  }));
  if (self.registration.sync) {
    // If Background Sync is refused, the pages ask us to send when they see the phone online.
    await self.registration.sync.register("send-orders").catch(() => null);
  }
  return key;
}

function serverTrouble(response) {
  return response.status >= 500 || PASSING_FAULTS.includes(response.status);
}

// Kept: the stored page that says so (offline, or the server has trouble); else the plain answer.
async function orderOrKeep(request) {
  const copy = request.clone();
  let response = null;
  try {
    response = await fetch(request);
  } catch (error) {
    // offline: keep it
  }
  if (response && !serverTrouble(response)) {
    return response;
  }
  const kept = await keepOrder(copy, response);
  const page = kept && await caches.match(response ? "/offline/queued/busy" : "/offline/queued");
  return page || response || Response.error();
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method === "POST" && url.origin === self.location.origin && ORDER_PATHS.includes(url.pathname)) {
    event.respondWith(orderOrKeep(event.request));
  }
});

// --- sending kept orders ----------------------------------------------------------------------

function replayRequest(item, csrf) {
  const headers = Object.assign({}, item.headers);
  let body = item.body;
  if (csrf) {
    if (headers["X-CSRFToken"]) {
      headers["X-CSRFToken"] = csrf;
    }
    if ((headers["Content-Type"] || "").includes("application/x-www-form-urlencoded")) {
      const form = new URLSearchParams(body);
      if (form.has("_csrf_token")) {
        form.set("_csrf_token", csrf);
        body = form.toString();
      }
    }
  }
  return fetch(item.url, { method: "POST", body, headers, credentials: "same-origin" });
}

function decodeReason(value) {
  try {
    return decodeURIComponent(value);
  } catch (error) {
    return "";
  }
}

// What the server's answer to a replay means. fetch follows redirects: the receipt or the login page.
function verdict(response) {
  const landed = new URL(response.url || self.location.href);
  const ours = response.redirected && landed.origin === self.location.origin;
  if (ours && /^\/orders\/\d+$/.test(landed.pathname)) {
    return { kind: "accepted", receipt: landed.pathname };
  }
  const refusal = response.headers.get(REFUSAL_HEADER);
  if (refusal !== null && response.status >= 400) {
    return { kind: "refused", message: decodeReason(refusal) };
  }
  if ((ours && landed.pathname === "/login") || response.status === 401 || response.status === 403) {
    return { kind: "login" };
  }
  if (response.status >= 400 && !serverTrouble(response)) {
    return { kind: "refused", message: "" }; // app.js shows a general reason
  }
  return { kind: "retry" }; // 5xx, 408/429, or an answer that is not ours (e.g. a Wi-Fi login page)
}

async function settle(item, result, response) {
  if (result.kind === "accepted" || result.kind === "refused") {
    const outcome = { key: item.key, kind: result.kind, owner: item.owner, at: Date.now(),
                      receipt: result.receipt || "", message: result.message || "" };
    await inTransaction(["orders", "outcomes"], "readwrite", (tx) => {
      tx.objectStore("outcomes").put(outcome);
      tx.objectStore("orders").delete(item.key);
    });
    return;
  }
  if (result.kind === "login") {
    item.state = "login";
    item.retryAt = 0;
  } else {
    item.state = "waiting";
    item.tries = (item.tries || 0) + 1;
    item.retryAt = Date.now() + (response ? retryAfterMs(response, item.tries) : backoff(item.tries));
  }
  await outbox("orders", "readwrite", (store) => store.put(item));
}

// One run at a time: the Background Sync event and a page's message often arrive together when
// the phone comes online. Two overlapping runs would both post the same kept order (the server
// knows its key, so still one order) and both tell the pages.
let sending = Promise.resolve(false);

function sendKeptOrders(ask) {
  const run = () => sendKeptOrdersNow(ask);
  sending = sending.then(run, run);
  return sending;
}

// Returns true when an order still waits for the network or the server (not for a login).
async function sendKeptOrdersNow(ask) {
  if (typeof ask.owner === "string") {
    await setOwner(ask.owner);
  }
  let owner = await currentOwner();
  const kept = await outbox("orders", "readonly", (store) => store.getAll());
  let waiting = false;
  for (const item of kept) {
    if (owner === "") {
      if (item.state !== "login") {
        await settle(item, { kind: "login" }, null); // signed out: nothing to try until a login
      }
      continue;
    }
    if (!belongsTo(item, owner)) {
      continue; // someone else's order, kept for when they are signed in again
    }
    if (ask.send === false || (item.retryAt || 0) > Date.now()) {
      waiting = waiting || item.state !== "login";
      continue;
    }
    let response = null;
    let result;
    try {
      response = await replayRequest(item, ask.csrf);
      result = verdict(response);
    } catch (error) {
      result = { kind: "retry" }; // offline again
    }
    await settle(item, result, response);
    if (result.kind === "login") {
      owner = "";
      await setOwner(owner);
    } else if (result.kind === "retry") {
      waiting = true;
      break; // the others would meet the same trouble: next time
    }
  }
  await tellPages();
  return waiting;
}

// What the pages show (app.js): this person's outcomes not yet shown, and what still waits.
async function outboxState() {
  const owner = await currentOwner();
  const kept = await outbox("orders", "readonly", (store) => store.getAll());
  const outcomes = owner === "" ? [] : (await outbox("outcomes", "readonly", (store) => store.getAll()))
    .filter((outcome) => belongsTo(outcome, owner));
  const mine = kept.filter((item) => owner === "" || belongsTo(item, owner));
  const waiting = mine.filter((item) => item.state !== "login");
  const retryAt = Math.min(...waiting.map((item) => item.retryAt || Date.now()));
  return {
    type: "outbox",
    waiting: waiting.length,
    login: mine.length - waiting.length,
    retryIn: waiting.length ? Math.max(retryAt - Date.now(), 0) : null,
    accepted: outcomes.filter((o) => o.kind === "accepted").map((o) => ({ key: o.key, receipt: o.receipt })),
    refused: outcomes.filter((o) => o.kind === "refused").map((o) => ({ key: o.key, message: o.message })),
  };
}

async function tellPages() {
  const state = await outboxState();
  const pages = await self.clients.matchAll({ type: "window", includeUncontrolled: true });
  for (const page of pages) {
    page.postMessage(state);
  }
}

function forgetOutcomes(keys) {
  return outbox("outcomes", "readwrite", (store) => keys.forEach((key) => store.delete(key)));
}

self.addEventListener("sync", (event) => {
  if (event.tag === "send-orders") {
    // Rejecting makes the browser fire the sync again later, with its own back-off.
    event.waitUntil(sendKeptOrders({}).then((waiting) => waiting && Promise.reject(new Error("orders wait"))));
  }
});

// {type: "send-orders", owner, csrf, send} from app.js at each page load (send: false while the
// phone is offline: only the state is told); {type: "outcomes-seen", keys} once a page showed them.
self.addEventListener("message", (event) => {
  const data = event.data || {};
  if (data.type === "send-orders") {
    event.waitUntil(sendKeptOrders({ owner: data.owner, csrf: data.csrf || null, send: data.send !== false }));
  } else if (data.type === "outcomes-seen" && Array.isArray(data.keys)) {
    event.waitUntil(forgetOutcomes(data.keys));
  }
});
