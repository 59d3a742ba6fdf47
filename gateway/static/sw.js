/* A small service worker: the app's CSS and JS from the cache, and the last copy of the pages a
 * grid worker reads (today, register, household, visit form, a drill's roll-call) when the connection drops.
 * Only GET pages that the server allows to be stored; signing out empties the caches. */
var PAGES = "grid-pages-v1", STATIC = "grid-static-v1";
var READABLE = /^\/(grids\/[A-Za-z0-9_-]+\/(today|households)|households\/[0-9a-f]{24}(\/visit)?|drills\/[0-9a-f]{24}\/grids\/[A-Za-z0-9_-]+\/roll)$/;

self.addEventListener("install", function () { self.skipWaiting(); });
self.addEventListener("activate", function (event) { event.waitUntil(self.clients.claim()); });

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
  if (request.mode !== "navigate" || !READABLE.test(url.pathname)) return;
  event.respondWith(fetch(request).then(function (response) {
    var cc = response.headers.get("Cache-Control") || "";
    if (response.ok && !response.redirected && cc.indexOf("no-store") < 0) {
      var copy = response.clone();
      caches.open(PAGES).then(function (cache) { cache.put(request, copy); });
    }
    return response;
  }, function () {
    return caches.open(PAGES).then(function (cache) {
      return cache.match(request, { ignoreSearch: false }).then(function (hit) { return hit || Response.error(); });
    });
  }));
});
