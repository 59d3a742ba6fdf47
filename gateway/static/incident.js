/* The incident report on the phone (事件上报, templates/desk/incident_form.html). Each chosen photo is shrunk on
 * the phone (canvas → JPEG, longest side ≤ 1600, quality stepped down until ≤ 300 KB); the report waits in
 * IndexedDB (photos as Blobs, with the client_id of its form load) and is posted to the form's URL with
 * Accept: application/json when the connection is there: at once, on `online`, on the next page load (app.js
 * loads this script on any page while reports wait) or every 20 s. The service answers a resent client_id
 * with the case the first send made, so an entry is dropped only after a 2xx or 4xx answer; a 4xx keeps it
 * with the reason, to edit or remove. Without this script the form posts normally. */
(function () {
  "use strict";
  var DB = "grid-incidents", STORE = "reports", MIRROR = "grid.incidents.v1", SENT = "grid.sent.v1";
  var LIMIT = 300 * 1024, SIDE = 1600, PHOTOS = ["photo1", "photo2", "photo3"];
  var meta = function (n) { var m = document.querySelector('meta[name="' + n + '"]'); return m ? m.content : ""; };
  var userId = meta("user-id"), busy = false, sentHere = [];
  var form = document.querySelector("form[data-incident]"), box = document.getElementById("incident-queue");
  var me = document.getElementById("incident-js"), src = me ? me.getAttribute("src") : "";
  var words = box ? box.dataset : (document.getElementById("queue") || { dataset: {} }).dataset;
  if (!userId || !window.indexedDB || !window.Promise) return;

  function db() {
    return new Promise(function (ok, no) {
      var r = indexedDB.open(DB, 1);
      r.onupgradeneeded = function () { r.result.createObjectStore(STORE, { keyPath: "id" }); };
      r.onsuccess = function () { ok(r.result); };
      r.onerror = function () { no(r.error); };
    });
  }
  function tx(mode, fn) {
    return db().then(function (d) {
      return new Promise(function (ok, no) {
        var t = d.transaction(STORE, mode), req = fn(t.objectStore(STORE));
        t.oncomplete = function () { d.close(); ok(req.result); };
        t.onerror = t.onabort = function () { d.close(); no(t.error); };
      });
    });
  }
  function all() { return tx("readonly", function (s) { return s.getAll(); }); }
  function put(e) { return tx("readwrite", function (s) { return s.put(e); }); }
  function drop(id) { return tx("readwrite", function (s) { return s["delete"](id); }); }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID().replace(/-/g, "");
    var a = new Uint8Array(16);
    crypto.getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }
  function el(tag, cls, value) { var e = document.createElement(tag); if (cls) e.className = cls; e.textContent = value; return e; }

  /* ---- photos: small enough to send from a stairwell ---- */
  function blob(canvas, q) { return new Promise(function (ok) { canvas.toBlob(ok, "image/jpeg", q); }); }
  function fit(source, w, h) {
    var c = document.createElement("canvas");
    c.width = Math.max(1, Math.round(w)); c.height = Math.max(1, Math.round(h));
    c.getContext("2d").drawImage(source, 0, 0, c.width, c.height);
    return c;
  }
  function squeeze(canvas, q) {
    return blob(canvas, q).then(function (b) {
      if (!b || b.size <= LIMIT || canvas.width < 160) return b;
      if (q > 0.5) return squeeze(canvas, Math.round((q - 0.15) * 100) / 100);
      return squeeze(fit(canvas, canvas.width * 0.75, canvas.height * 0.75), 0.8);
    });
  }
  function shrink(file) {
    if (!window.createImageBitmap) return Promise.resolve(file);
    return createImageBitmap(file).then(function (bmp) {
      var k = Math.min(1, SIDE / Math.max(bmp.width, bmp.height)), c = fit(bmp, bmp.width * k, bmp.height * k);
      if (bmp.close) bmp.close();
      return squeeze(c, 0.85);
    }).then(function (b) { return b || file; }, function () { return file; });  /* not readable here: the service says why */
  }

  /* ---- the list on the page, and what app.js needs to know on other pages ---- */
  function mirror(list) {
    var users = {};
    list.forEach(function (e) { if (e.status !== "failed") users[e.user] = 1; });
    var rows = Object.keys(users).map(function (u) { return { user: u, src: src }; });
    try { if (rows.length && src) localStorage.setItem(MIRROR, JSON.stringify(rows)); else localStorage.removeItem(MIRROR); } catch (x) { /* private */ }
  }
  function render() {
    return all().then(function (list) {
      mirror(list);
      if (!box) return;
      var mine = list.filter(function (e) { return e.user === userId; });
      box.textContent = "";
      box.hidden = !mine.length && !sentHere.length;
      if (box.hidden) return;
      box.appendChild(el("b", "", words.title));
      if (mine.length && !navigator.onLine) box.appendChild(el("p", "hint", words.offline));
      var ul = document.createElement("ul");
      mine.forEach(function (e) {
        var li = el("li", e.status, "");
        li.dataset.clientId = e.id;
        li.appendChild(el("span", "st", words[e.status] || words.waiting));
        li.appendChild(el("span", "", e.label + " · " + e.when + " · " + words.photos + " " + e.photos.length));
        if (e.error) li.appendChild(el("small", "err", e.error));
        if (e.status === "failed") {
          [["edit", function () { edit(e); }], ["remove", function () { drop(e.id).then(render); }]].forEach(function (a) {
            var b = el("button", "link", words[a[0]]);
            b.type = "button";
            b.addEventListener("click", a[1]);
            li.appendChild(b);
          });
        }
        ul.appendChild(li);
      });
      sentHere.forEach(function (s) {
        var li = el("li", "sent", "");
        li.dataset.clientId = s.id;
        li.appendChild(el("span", "st", words.sent));
        li.appendChild(s.url ? el("a", "", s.label) : el("span", "", s.label));
        if (s.url) li.lastChild.href = s.url;
        ul.appendChild(li);
      });
      box.appendChild(ul);
    }, function () {});
  }
  function remember(e, answer) {
    var label = e.label + (answer.number ? " · " + answer.number : "");
    sentHere.unshift({ id: e.id, label: label, url: answer.url });
    try {
      var s = JSON.parse(sessionStorage.getItem(SENT) || "[]").filter(function (x) { return x.id !== e.id; });
      s.unshift({ id: e.id, label: label, when: e.when });
      sessionStorage.setItem(SENT, JSON.stringify(s.slice(0, 5)));
    } catch (x) { /* private */ }
  }

  /* ---- sending ---- */
  function freshToken() {
    return fetch("/api/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (b) { var m = document.querySelector('meta[name="csrf-token"]'); if (b && m) m.content = b.csrf_token; return b ? b.csrf_token : ""; });
  }
  function send(e, token, retried) {
    var body = new FormData();
    Object.keys(e.fields).forEach(function (k) { body.append(k, e.fields[k]); });
    e.photos.forEach(function (p, i) { body.append(PHOTOS[i], p, PHOTOS[i] + (p.type === "image/jpeg" ? ".jpg" : "")); });
    return fetch(e.url, { method: "POST", body: body, credentials: "same-origin", redirect: "manual",
                          headers: { Accept: "application/json", "X-CSRFToken": token } }).then(function (r) {
      var json = (r.headers.get("Content-Type") || "").indexOf("application/json") === 0;
      if (r.type === "opaqueredirect" || r.status === 401) return { status: "login" };  /* signed out */
      if (r.status === 400 && !json && !retried) return freshToken().then(function (t) { return t ? send(e, t, true) : { status: "login" }; });
      if (r.ok && json) return r.json().then(function (b) { return { status: "sent", answer: b }; });
      if (r.ok || r.status >= 500 || r.status === 429) return { status: "waiting" };
      return (json ? r.json() : Promise.reject()).then(function (b) { return { status: "failed", error: b.message || words.refused }; },
                                                      function () { return { status: "failed", error: words.refused }; });
    });
  }
  function flush() {
    if (busy || !navigator.onLine) return Promise.resolve();
    busy = true;
    var done = function () { busy = false; return render(); };
    return all().then(function (list) {
      return list.filter(function (e) { return e.user === userId && e.status !== "failed"; }).reduce(function (chain, e) {
        return chain.then(function () {
          e.status = "sending";
          return put(e).then(render).then(function () { return send(e, meta("csrf-token")); }).then(function (res) {
            if (res.status === "sent") { remember(e, res.answer); return drop(e.id); }
            e.status = res.status; e.error = res.error || "";
            return put(e);
          }, function () { e.status = "waiting"; return put(e); });  /* no answer: it waits */
        });
      }, Promise.resolve());
    }).then(done, done);
  }

  /* ---- the form ---- */
  var editing = null;
  function edit(e) {
    if (!form) return;
    var f = form.elements;
    Object.keys(e.fields).forEach(function (k) {
      if (!f[k]) return;
      if (f[k].type === "checkbox") f[k].checked = !!e.fields[k]; else f[k].value = e.fields[k];
    });
    editing = e;
    form.scrollIntoView();
  }
  function fields(f) {
    var out = {};
    ["category", "building", "place_text", "description", "client_id"].forEach(function (k) { out[k] = f[k].value.trim(); });
    if (f.attach_location.checked) { out.attach_location = "y"; out.lat = f.lat.value; out.lon = f.lon.value; }
    return out;
  }
  function label(f) {
    var c = f.category.options[f.category.selectedIndex];
    return [c ? c.text : "", f.building.value || f.place_text.value.trim()].filter(Boolean).join(" · ");
  }
  function locate() {
    var f = form.elements;
    if (!f.attach_location.checked || !navigator.geolocation) return;
    navigator.geolocation.getCurrentPosition(function (p) {
      f.lat.value = p.coords.latitude.toFixed(6); f.lon.value = p.coords.longitude.toFixed(6);
    }, function () {}, { enableHighAccuracy: true, timeout: 15000, maximumAge: 60000 });
  }
  if (form) {
    form.elements.client_id.value = newId();  /* the page may come from the cache: each load is a new report */
    form.elements.attach_location.addEventListener("change", locate);
    locate();
    form.addEventListener("submit", function (event) {
      if (!form.checkValidity()) return;
      event.preventDefault();
      var f = form.elements, button = form.querySelector("button[type=submit]");
      var files = PHOTOS.map(function (n) { return f[n].files && f[n].files[0]; }).filter(Boolean);
      button.disabled = true;
      Promise.all(files.map(shrink)).then(function (photos) {
        var was = editing, entry = { id: was ? was.id : f.client_id.value, user: userId, url: form.action,
                                     label: label(f), when: new Date().toLocaleString(), status: "waiting", error: "" };
        entry.fields = fields(f);
        entry.fields.client_id = entry.id;
        entry.photos = photos.length || !was ? photos : was.photos;
        return put(entry);
      }).then(function () {
        editing = null;
        form.reset();
        f.client_id.value = newId();
        button.disabled = false;
        return render().then(flush);
      }, function () { button.disabled = false; form.submit(); });  /* no IndexedDB here: post it as it is */
    });
  }
  window.addEventListener("online", flush);
  window.addEventListener("offline", render);
  setInterval(function () { if (navigator.onLine) flush(); }, 20000);
  render().then(flush);
})();
