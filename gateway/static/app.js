/* Offline queue for small forms: visit logs (data-queue="visit") and drill roll-call ticks (data-queue="tick").
 * Without this script the forms post normally. With it, an entry is kept on the phone (localStorage)
 * with a client_id, shown as waiting, and sent to the JSON API when the connection is there: at once,
 * on the `online` event, on the next page load, or every 20 s. The services store an entry once per
 * client_id, so a resend never makes a second record. Also: the drill live board polls its figures, and an
 * import job's page its progress. */
(function () {
  "use strict";
  var KEY = "grid.queue.v1", SENT = "grid.sent.v1";
  var box = document.getElementById("queue");
  var meta = function (name) { var m = document.querySelector('meta[name="' + name + '"]'); return m ? m.content : ""; };
  var userId = meta("user-id");
  var flushing = false;

  function load(key, store) { try { return JSON.parse((store || localStorage).getItem(key)) || []; } catch (e) { return []; } }
  function save(key, list, store) { try { (store || localStorage).setItem(key, JSON.stringify(list)); } catch (e) { /* full or private */ } }

  function newId() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    var a = new Uint8Array(16);
    (window.crypto || window.msCrypto).getRandomValues(a);
    return Array.prototype.map.call(a, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function text(tag, cls, value) { var e = document.createElement(tag); if (cls) e.className = cls; e.textContent = value; return e; }

  function render() {
    if (!box) return;
    var mine = load(KEY).filter(function (e) { return e.user === userId; });
    var sent = load(SENT, sessionStorage);
    box.textContent = "";
    if (!mine.length && !sent.length) { box.hidden = true; return; }
    box.hidden = false;
    box.appendChild(text("b", "", box.dataset.title));
    if (mine.length && !navigator.onLine) box.appendChild(text("p", "hint", box.dataset.offline));
    var ul = document.createElement("ul");
    mine.forEach(function (e) {
      var li = document.createElement("li");
      li.className = e.status;
      li.dataset.clientId = e.id;
      li.appendChild(text("span", "st", box.dataset[e.status] || box.dataset.waiting));
      li.appendChild(text("span", "", e.label + " · " + e.when));
      if (e.error) li.appendChild(text("small", "err", e.error));
      if (e.status === "failed") {
        var b = text("button", "link", box.dataset.remove);
        b.type = "button";
        b.addEventListener("click", function () { save(KEY, load(KEY).filter(function (x) { return x.id !== e.id; })); render(); });
        li.appendChild(b);
      }
      ul.appendChild(li);
    });
    sent.forEach(function (e) {
      var li = document.createElement("li");
      li.className = "sent";
      li.dataset.clientId = e.id;
      li.appendChild(text("span", "st", box.dataset.sent));
      li.appendChild(text("span", "", e.label + " · " + e.when));
      ul.appendChild(li);
    });
    box.appendChild(ul);
  }

  function update(id, changes) {
    var list = load(KEY);
    list.forEach(function (e) { if (e.id === id) Object.keys(changes).forEach(function (k) { e[k] = changes[k]; }); });
    save(KEY, list);
  }

  function remember(entry) {
    var sent = load(SENT, sessionStorage).filter(function (e) { return e.id !== entry.id; });
    sent.unshift({ id: entry.id, label: entry.label, when: entry.when });
    save(SENT, sent.slice(0, 5), sessionStorage);
  }

  function freshToken() {
    return fetch("/api/me", { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (me) {
        if (!me) return "";
        var m = document.querySelector('meta[name="csrf-token"]');
        if (m) m.content = me.csrf_token;
        return me.csrf_token;
      });
  }

  function send(entry, token, retried) {
    var body = entry.body;
    if (entry.kind === "tick") {  /* the service corrects the tap's time by the phone's clock offset */
      body = JSON.parse(JSON.stringify(entry.body));
      body.sent_at = new Date().toISOString();
    }
    return fetch(entry.url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.ok && entry.kind === "tick") return r.json().then(function (b) { count(b); return "sent"; }, function () { return "sent"; });
      if (r.ok) return "sent";
      if (r.status === 401) return "login";
      if (r.status === 400 && !retried) {  /* the CSRF token may have changed: fetch a fresh one once */
        return freshToken().then(function (t) { return t ? send(entry, t, true) : "login"; });
      }
      if (r.status >= 500 || r.status === 429) return "waiting";
      return r.json().then(function (b) { return { failed: (b && b.message) || String(r.status) }; },
                           function () { return { failed: String(r.status) }; });
    });
  }

  function flush() {
    if (flushing || !userId || !navigator.onLine) return Promise.resolve();
    var todo = load(KEY).filter(function (e) { return e.user === userId && (e.status === "waiting" || e.status === "login" || e.status === "sending"); });
    if (!todo.length) return Promise.resolve();
    flushing = true;
    var token = meta("csrf-token");
    var chain = Promise.resolve();
    todo.forEach(function (entry) {
      chain = chain.then(function () {
        update(entry.id, { status: "sending" });
        render();
        return send(entry, token).then(function (result) {
          if (result === "sent") {
            save(KEY, load(KEY).filter(function (e) { return e.id !== entry.id; }));
            remember(entry);
            mark(entry, "sent");
          } else if (typeof result === "object") {
            update(entry.id, { status: "failed", error: result.failed });
            mark(entry, "failed");
          } else {
            update(entry.id, { status: result });
          }
        }, function () { update(entry.id, { status: "waiting" }); });  /* network error: keep it */
      });
    });
    return chain.then(function () { flushing = false; render(); }, function () { flushing = false; render(); });
  }

  function localIso(value) {
    var d = value ? new Date(value) : new Date();  /* datetime-local is the phone's local time */
    return isNaN(d.getTime()) ? new Date().toISOString() : d.toISOString();
  }

  function visitBody(form) {
    var f = form.elements;
    var seen = Array.prototype.filter.call(form.querySelectorAll('input[name="seen"]'), function (c) { return c.checked; })
      .map(function (c) { return c.value; });
    var followUp = f.follow_up_needed && f.follow_up_needed.checked;
    return {
      visited_at: localIso(f.visited_at && f.visited_at.value),
      seen: seen,
      notes: (f.notes && f.notes.value || "").trim(),
      follow_up_needed: !!followUp,
      follow_up: (f.follow_up && f.follow_up.value || "").trim() || null,
      client_id: f.client_id.value
    };
  }

  /* ---- roll-call ticks: one tap, one entry; the row shows it waiting, then sent ---- */
  function mark(entry, state) {
    if (entry.kind !== "tick") return;
    var row = document.getElementById("h-" + entry.household);
    if (!row) return;
    var status = entry.body.status;
    Array.prototype.forEach.call(row.querySelectorAll("button[name=tick]"), function (b) {
      var on = b.value.split(":")[1] === status;
      b.classList.toggle("on", on);
      if (on) { var st = row.querySelector(".st"); if (st) st.textContent = b.textContent; }
    });
    row.classList.remove("waiting", "sent", "failed");
    row.classList.add(state);
    var q = row.querySelector(".q");
    if (q) q.textContent = box ? (box.dataset[state] || "") : "";
  }

  function count(result) {
    var n = document.getElementById("accounted");
    if (n && result && typeof result.accounted === "number") n.textContent = result.accounted;
  }

  function queueTick(event, form) {
    var btn = event.submitter;
    var m = btn && btn.name === "tick" && /^([A-Za-z0-9_-]{1,64}):([a-z_]{1,20})$/.exec(btn.value);
    if (!m) return;
    event.preventDefault();
    var row = document.getElementById("h-" + m[1]);
    var id = newId();
    var entry = { id: id, kind: "tick", household: m[1], url: form.dataset.api.replace("HID", m[1]),
                  body: { client_id: id, status: m[2], at: new Date().toISOString() },
                  label: form.dataset.label + " " + (row ? row.dataset.label : m[1]) + " " + btn.textContent,
                  user: userId, when: new Date().toLocaleString(), status: "waiting" };
    var list = load(KEY);
    list.push(entry);
    save(KEY, list);
    mark(entry, "waiting");
    render();
    flush();
  }

  function queueForm(event) {
    var form = event.target;
    if (!form.matches || !form.matches("form[data-queue]") || !userId) return;
    if (form.dataset.queue === "tick") { queueTick(event, form); return; }
    if (!form.checkValidity()) return;  /* let the browser show what is missing */
    var body = visitBody(form);
    if (body.follow_up_needed && !body.follow_up) return;  /* the server explains this one */
    event.preventDefault();
    if (!/^[A-Za-z0-9_-]{8,64}$/.test(body.client_id || "")) body.client_id = newId();
    var entry = { id: body.client_id, kind: "visit", url: form.dataset.api, body: body, label: form.dataset.label,
                  user: userId, when: new Date().toLocaleString(), status: "waiting" };
    var list = load(KEY).filter(function (e) { return e.id !== entry.id; });
    list.push(entry);
    save(KEY, list);
    form.reset();
    form.elements.client_id.value = newId();  /* the next entry from this form is a new one */
    if (form.elements.visited_at) form.elements.visited_at.value = body.visited_at ? toLocalInput(new Date()) : "";
    render();
    flush().then(function () {
      var still = load(KEY).some(function (e) { return e.id === entry.id; });
      if (!still && form.dataset.back) window.location.assign(form.dataset.back);
    });
  }

  function toLocalInput(d) {
    var p = function (n) { return ("0" + n).slice(-2); };
    return d.getFullYear() + "-" + p(d.getMonth() + 1) + "-" + p(d.getDate()) + "T" + p(d.getHours()) + ":" + p(d.getMinutes());
  }

  function onLogout(event) {
    if (!event.target.matches || !event.target.matches("form[data-logout]")) return;
    sessionStorage.removeItem(SENT);
    if (window.caches && caches.keys) caches.keys().then(function (keys) { keys.forEach(function (k) { caches.delete(k); }); });
  }

  document.addEventListener("submit", queueForm);
  document.addEventListener("submit", onLogout);
  window.addEventListener("online", function () { render(); flush(); });
  window.addEventListener("offline", render);
  setInterval(function () { if (load(KEY).some(function (e) { return e.user === userId && e.status !== "failed"; })) flush(); }, 20000);
  /* A page may come from the cache: every queued form gets a client_id of its own on each load. */
  Array.prototype.forEach.call(document.querySelectorAll("form[data-queue]"), function (form) {
    if (form.elements.client_id) form.elements.client_id.value = newId();
    /* the server filled in its own clock and zone; the phone's local time is what the user means */
    if (form.elements.visited_at && form.elements.visited_at.defaultValue === form.elements.visited_at.value) {
      form.elements.visited_at.value = form.elements.visited_at.defaultValue = toLocalInput(new Date());
    }
  });
  /* ticks still waiting on this phone show on their rows */
  load(KEY).forEach(function (e) { if (e.user === userId && e.kind === "tick") mark(e, e.status === "failed" ? "failed" : "waiting"); });

  /* ---- the drill live board: poll the compact figures, count the time since the start ---- */
  function duration(s) {
    if (s === null || s === undefined || s === "") return "—";
    s = Math.round(Number(s));
    var h = Math.floor(s / 3600), m = Math.floor(s % 3600 / 60), r = s % 60;
    var p = function (n) { return ("0" + n).slice(-2); };
    return h ? h + ":" + p(m) + ":" + p(r) : m + ":" + p(r);
  }
  function pct(x) { return x === null || x === undefined ? "—" : Math.floor(x * 100) + "%"; }
  var board = document.querySelector("[data-board]");
  if (board) {
    var base = { elapsed: parseFloat(board.dataset.elapsed), at: Date.now(), live: board.dataset.status === "live" };
    var set = function (sel, value) { var el = board.querySelector(sel); if (el) el.textContent = value; };
    var tickClock = function () {
      if (isNaN(base.elapsed)) return;
      set('[data-f="elapsed"]', duration(base.elapsed + (base.live ? (Date.now() - base.at) / 1000 : 0)));
    };
    var poll = function () {
      if (!navigator.onLine) return;
      fetch(board.dataset.api, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (b) {
          if (!b) return;
          base = { elapsed: b.elapsed_s === null ? NaN : b.elapsed_s, at: Date.now(), live: b.status === "live" };
          set('[data-f="share"]', pct(b.share));
          set('[data-f="accounted"]', b.accounted);
          set('[data-f="total"]', b.total);
          set('[data-f="needs_help"]', b.needs_help);
          set('[data-f="time_to_90_s"]', duration(b.time_to_90_s));
          set('[data-f="time_to_100_s"]', duration(b.time_to_100_s));
          set('[data-f="as_of"]', new Date(b.as_of).toLocaleString());
          (b.grids || []).forEach(function (g) {
            var row = board.querySelector('tr[data-grid="' + g.grid_id + '"]');
            if (!row) return;
            var cell = function (k, v) { var el = row.querySelector('[data-g="' + k + '"]'); if (el) el.textContent = v; };
            cell("accounted", g.accounted); cell("total", g.total); cell("share", pct(g.share)); cell("needs_help", g.needs_help);
            var bar = row.querySelector("progress"); if (bar) bar.value = g.share || 0;
          });
          tickClock();
        }, function () {});
    };
    setInterval(tickClock, 1000);
    setInterval(poll, 5000);
  }

  /* ---- an import job's page: its state and bar each second, and the report (a reload) once it has finished ---- */
  function watchImport(box) {
    var poll = function () {
      fetch(box.dataset.importJob, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (b) {
          if (b && b.finished) { window.location.reload(); return; }
          if (b) {
            box.querySelector("progress").value = b.percent;
            box.querySelector('[data-f="state_label"]').textContent = b.state_label;
            var lines = box.querySelector('[data-f="lines"]');
            lines.textContent = "";
            b.lines.forEach(function (line, i) { if (i) lines.appendChild(document.createElement("br")); lines.appendChild(document.createTextNode(line)); });
          }
          setTimeout(poll, b ? 1000 : 5000);
        }, function () { setTimeout(poll, 5000); });
    };
    setTimeout(poll, 1000);
  }
  var importJob = document.querySelector("[data-import-job]");
  if (importJob) watchImport(importJob);

  /* incident reports wait with their photos in IndexedDB; static/incident.js sends them, from any page */
  var inc = load("grid.incidents.v1").filter(function (e) { return e.user === userId && /^\/static\/incident\.js(\?v=\w+)?$/.test(e.src); })[0];
  if (inc && !document.getElementById("incident-js")) {
    var js = document.createElement("script");
    js.id = "incident-js"; js.src = inc.src;
    document.head.appendChild(js);
  }

  render();
  flush();
  if ("serviceWorker" in navigator && userId) navigator.serviceWorker.register("/sw.js").catch(function () {});
})();
