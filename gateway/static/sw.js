/* A small service worker: the app's CSS and JS from the cache, and the last copy of the pages a
 * grid worker reads (today, register, household, visit form, incident report, a drill's roll-call) when the connection drops.
 * Only GET pages that the server allows to be stored.
 *
 * The copies live only as long as the session that fetched them. Every signed-in page tells how many
 * seconds its session has left (X-Session-Remaining); the worker keeps that end time (by the phone's
 * own clock) next to the pages. A page answered without it (signed out, expired, the sign-in page)
 * empties the page cache, and offline a copy is never served past the session's end: the caches are
 * emptied instead. Signing out empties them too (app.js). */
var PAGES = "grid-pages-v2", STATIC = "grid-static-v1", SESSION = "grid-session-v1", ENDS = "/__session_ends__";
var READABLE = /^\/(grids\/[A-Za-z0-9_-]+\/(today|households|incidents\/new)|households\/[0-9a-f]{24}(\/visit)?|drills\/[0-9a-f]{24}\/grids\/[A-Za-z0-9_-]+\/roll)$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) {
  event.waitUntil(caches.keys().then(function (keys) {  /* pages kept by an older worker had no end time */
    return Promise.all(keys.filter(function (k) { return k.indexOf("grid-pages-") === 0 && k !== PAGES; })
      .map(function (k) { return caches.delete(k); }));
  }).then(function () { return self.clients.claim(); }));
});

function forget() {
  return Promise.all([caches.delete(PAGES), caches.delete(SESSION)]);
}

function remember(seconds) {
  var ends = Date.now() + seconds * 1000;
  return caches.open(SESSION).then(function (cache) {
    return cache.put(ENDS, new Response(String(ends), { headers: { "Content-Type": "text/plain" } }));
  });
}

function sessionEnds() {
  return caches.open(SESSION).then(function (cache) { return cache.match(ENDS); })
    .then(function (hit) { return hit ? hit.text().then(Number) : 0; });
}

function fromNetwork(request, url) {
  return fetch(request).then(function (response) {
    var left = parseInt(response.headers.get("X-Session-Remaining") || "", 10);
    if (!(left > 0)) {
      forget();  /* not signed in any more: no copy of a register page stays on the phone */
      return response;
    }
    remember(left);
    var cc = response.headers.get("Cache-Control") || "";
    if (READABLE.test(url.pathname) && response.ok && !response.redirected && cc.indexOf("no-store") < 0) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  });
}

function fromCache(request) {
  return sessionEnds().then(function (ends) {
    if (!ends || Date.now() >= ends) return forget().then(function () { return Response.error(); });
    return caches.open(PAGES).then(function (cache) {
      return cache.match(request, { ignoreSearch: false }).then(function (hit) { return hit || Response.error(); });
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request, url = new URL(request.url);
  if (request.method !== "GET" || url.origin !== self.location.origin) return;
  if (url.pathname.indexOf("/static/") === 0) {
    event.respondWith(caches.open(STATIC).then(function (cache) {
      return cache.match(request).then(function (hit) {
        return hit || fetch(request).then(function (response) {
          if (response.ok) cache.put(request, response.clone());
          return response;
        });
      });
    }));
    return;
  }
  if (request.mode !== "navigate") return;
  event.respondWith(fromNetwork(request, url).catch(function () {
    return READABLE.test(url.pathname) ? fromCache(request) : Response.error();
  }));
});
