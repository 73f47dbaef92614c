// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen-reader and keyboard users hear what went wrong.
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
  });
  // Times in the visitor's own zone: where the browser's zone differs from the forum's, each
  // session time gets its local equivalent beside it (signed-in people with a zone in their
  // profile already get it from the server).
  document.addEventListener("DOMContentLoaded", function () {
    var zone;
    try { zone = Intl.DateTimeFormat().resolvedOptions().timeZone; } catch (e) { return; }
    var body = document.body;
    if (!zone || !body.hasAttribute("data-yours") || body.hasAttribute("data-profile-zone")) { return; }
    var label = body.getAttribute("data-yours"), lang = document.documentElement.lang;
    // The weekday, then the day of the month, in every language ("Sun 27", "dom 27"): some
    // locales put them the other way round, which reads as a date. The zone as an offset
    // ("GMT+1"), the same in every language.
    var dayParts = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", timeZone: zone });
    var day = { format: function (d) {
      var parts = {};
      dayParts.formatToParts(d).forEach(function (p) { parts[p.type] = p.value; });
      return parts.weekday.replace(/\.$/, "") + " " + parts.day;
    } };
    var time = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });
    var named;
    try {
      named = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone, timeZoneName: "shortOffset" });
    } catch (e) {
      named = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone, timeZoneName: "short" });
    }
    var zoneOf = function (d) {
      var part = named.formatToParts(d).filter(function (p) { return p.type === "timeZoneName"; })[0];
      return part ? part.value : zone;
    };
    document.querySelectorAll("time.when[data-zone]").forEach(function (el) {
      if (el.getAttribute("data-zone") === zone || (el.nextElementSibling && el.nextElementSibling.classList.contains("yours"))) { return; }
      var start = new Date(el.getAttribute("datetime")), end = new Date(el.getAttribute("data-end"));
      // The day is named: what is evening in the forum's city may be tomorrow in the visitor's.
      var text = day.format(start) + " " + time.format(start) + "–" +
        (day.format(end) !== day.format(start) ? day.format(end) + " " : "") + time.format(end);
      var span = document.createElement("span");
      span.className = "muted yours";
      span.textContent = " (" + text + " " + label + ", " + zoneOf(start) + ")";
      el.insertAdjacentElement("afterend", span);
    });
  });
  // Instants shown in UTC to someone whose profile names no zone (the audit log, their logins):
  // written again in the browser's zone, with its offset.
  document.addEventListener("DOMContentLoaded", function () {
    var fmt;
    try {
      fmt = new Intl.DateTimeFormat(document.documentElement.lang, { day: "numeric", month: "long", year: "numeric", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZoneName: "shortOffset" });
    } catch (e) { return; }
    document.querySelectorAll("time[data-local][datetime]").forEach(function (el) {
      var d = new Date(el.getAttribute("datetime"));
      if (!isNaN(d)) el.textContent = fmt.format(d);
    });
  });

  // A new process or forum suggests its web address from its title, as the server would,
  // until the address is typed by hand. An existing one keeps its address.
  document.addEventListener("DOMContentLoaded", function () {
    var slug = document.getElementById("f-slug");
    var title = slug && slug.form && slug.form.querySelector('input[name^="title."]');
    if (!title || slug.value || !String.prototype.normalize) return;
    var suggested = "";
    var make = function (s) {
      s = s.normalize("NFD").replace(/[\u0300-\u036f]/g, "").toLowerCase().replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "");
      if (s.length > 60) { s = s.slice(0, 60); if (s.lastIndexOf("-") > 20) s = s.slice(0, s.lastIndexOf("-")); }
      return s.replace(/-+$/, "");
    };
    title.addEventListener("input", function () {
      if (slug.value !== suggested) return;
      suggested = make(title.value);
      slug.value = suggested;
    });
  });

  // Live counts (the registrants page): the server sends the figures whenever they change;
  // a dropped connection is tried again, less and less often. Without this, the page shows
  // the figures of when it was loaded.
  document.addEventListener("DOMContentLoaded", function () {
    var box = document.querySelector("[data-live-counts]");
    if (!box || !window.WebSocket) return;
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + box.getAttribute("data-live-counts");
    var connect = function (wait) {
      var ws = new WebSocket(url);
      ws.onopen = function () { wait = 2000; };
      ws.onmessage = function (e) {
        // Frames that waited together come as one message, one JSON object per line.
        var lines = e.data.split("\n"), counts = JSON.parse(lines[lines.length - 1]);
        box.querySelectorAll("[data-count]").forEach(function (el) {
          var v = counts[el.getAttribute("data-count")];
          if (v !== undefined && el.textContent !== String(v)) el.textContent = v;
        });
      };
      ws.onclose = function () { setTimeout(function () { connect(Math.min(wait * 2, 60000)); }, wait); };
    };
    connect(2000);
  });

  // Ask before destructive actions; the message comes from the page (data-confirm), translated.
  // A yes goes with the form, so the server skips its own confirmation page (the one people
  // without JavaScript see).
  document.addEventListener("submit", function (e) {
    var form = e.target, msg = form.getAttribute("data-confirm");
    if (!msg) { return; }
    if (!window.confirm(msg)) { e.preventDefault(); return; }
    if (!form.querySelector('input[name="confirm"]')) {
      var yes = document.createElement("input");
      yes.type = "hidden"; yes.name = "confirm"; yes.value = "yes";
      form.appendChild(yes);
    }
  });

  // Live questions: the page follows the session's socket. New questions join the end of the
  // list and are announced politely; counts change in place; a new order is offered, never
  // forced under a finger. The socket comes back by itself, with the last number it had, and
  // says so while it is away. The forms work without any of this.
  document.addEventListener("DOMContentLoaded", function () {
    var root = document.querySelector("[data-live-questions]");
    if (!root || !window.WebSocket) return;
    var status = root.querySelector("[data-live-status]");
    var list = root.querySelector('[data-list="open"]');
    var answered = root.querySelector('[data-list="answered"]');
    var announce = root.querySelector("[data-announce]");
    var reorder = root.querySelector("[data-reorder]");
    var label = function (k) { return root.getAttribute("data-label-" + k) || ""; };
    var moderate = root.hasAttribute("data-moderate"), present = root.hasAttribute("data-present");
    var url = (location.protocol === "https:" ? "wss://" : "ws://") + location.host + root.getAttribute("data-live-questions");
    var last = 0, ws = null, ref = 0, wait = 1000;
    var item = function (id) { return root.querySelector('[data-id="' + id + '"]'); };
    var typing = function () {
      var a = document.activeElement;
      return a && root.contains(a) && (a.tagName === "TEXTAREA" || a.tagName === "INPUT" || a.tagName === "SELECT");
    };
    var pending = false, fetching = false, refreshAt = 0;
    var refreshSoon = function () {
      // Moderators and the projector redraw from the server's page, in place (the socket, the
      // scroll and the focused question stay), at most every second, and never under someone
      // typing in a form: then once they leave it.
      pending = true;
      if (leaving || fetching || typing()) return;
      var wait = Math.max(0, refreshAt - Date.now());
      fetching = true;
      setTimeout(function () {
        pending = false;
        refreshAt = Date.now() + 1000;
        fetch(location.href, { credentials: "same-origin", headers: { "Accept": "text/html", "X-Convene-Refresh": "1" } }).then(function (r) {
          if (!r.ok) throw new Error(r.status);
          return r.text();
        }).then(function (html) {
          var fresh = new DOMParser().parseFromString(html, "text/html").querySelector("[data-live-questions]");
          if (!fresh || typing()) { pending = true; return; }
          var focused = document.activeElement, li = focused && focused.closest ? focused.closest("[data-id]") : null;
          var key = li && focused !== li ? focused.getAttribute("data-key") : null, id = li && li.getAttribute("data-id");
          var waiting = root.querySelectorAll('[data-list="pending"] > li').length;
          Array.prototype.forEach.call(root.querySelectorAll("[data-refresh]"), function (el) {
            var other = fresh.querySelector('[data-refresh="' + el.getAttribute("data-refresh") + '"]');
            if (other) el.innerHTML = other.innerHTML;
          });
          if (id) {
            var again = item(id), target = again && key ? again.querySelector('[data-key="' + key + '"]') : again;
            if (target) target.focus();
          }
          var now = root.querySelectorAll('[data-list="pending"] > li').length;
          if (announce && now > waiting) announce.textContent = label("waiting");
        }).catch(function () { pending = true; }).then(function () {
          fetching = false;
          if (pending && !typing()) refreshSoon();
        });
      }, wait);
    };
    // A form sent takes the browser elsewhere: no redraw starts after it.
    var leaving = false;
    root.addEventListener("submit", function () { leaving = true; });
    root.addEventListener("focusout", function () { setTimeout(function () { if (pending && !typing()) refreshSoon(); }, 0); });
    var build = function (q) {
      var li = document.createElement("li");
      li.className = "question"; li.id = "question-" + q.id; li.setAttribute("data-id", q.id);
      var body = document.createElement("p"); body.className = "q-body"; body.textContent = q.body;
      var who = document.createElement("p"); who.className = "muted"; who.textContent = q.author || label("anonymous");
      var actions = document.createElement("div"); actions.className = "q-actions";
      var btn = document.createElement("button"); btn.type = "button"; btn.className = "vote"; btn.setAttribute("aria-pressed", "false");
      btn.setAttribute("data-vote", q.id);
      btn.innerHTML = '<span aria-hidden="true">▲</span> <span data-votes></span> <span class="visually-hidden"></span>';
      btn.querySelector("[data-votes]").textContent = q.votes;
      btn.querySelector(".visually-hidden").textContent = label("votes");
      actions.appendChild(btn);
      li.appendChild(body); li.appendChild(who); li.appendChild(actions);
      setLabels(li, q.labels);
      return li;
    };
    var setLabels = function (li, labels) {
      var ul = li.querySelector(".q-labels");
      if (!labels || !labels.length) { if (ul) ul.remove(); return; }
      if (!ul) { ul = document.createElement("ul"); ul.className = "q-labels"; li.querySelector(".q-body").after(ul); }
      ul.textContent = "";
      labels.forEach(function (l) { var x = document.createElement("li"); x.textContent = l; ul.appendChild(x); });
    };
    var votesOf = function (li) { var v = li.querySelector("[data-votes]"); return v ? parseInt(v.textContent, 10) || 0 : 0; };
    var offerOrder = function () {
      if (!reorder || !list) return;
      var items = Array.prototype.slice.call(list.children), sorted = items.slice().sort(function (a, b) { return votesOf(b) - votesOf(a); });
      reorder.hidden = items.every(function (li, i) { return li === sorted[i]; });
    };
    if (reorder) reorder.addEventListener("click", function () {
      Array.prototype.slice.call(list.children).sort(function (a, b) { return votesOf(b) - votesOf(a); })
        .forEach(function (li) { list.appendChild(li); });
      reorder.hidden = true;
    });
    var apply = function (f) {
      if (f.seq) last = f.seq;
      // The projector orders its top five by votes; moderators' counts change in place.
      if ((moderate && f.type !== "votes" || present) && f.type !== "none" && f.type !== "snapshot" && f.type !== "ok" && f.type !== "error") refreshSoon();
      switch (f.type) {
        case "question.created":
        case "question.updated":
          var q = f.question, li = item(q.id);
          if (moderate || present) break;
          if (q.status !== "visible" && q.status !== "answered") {
            if (li) li.remove();
            // A full frame of a question not shown is one's own: it goes to "your questions",
            // with why it was declined.
            var mine = root.querySelector('[data-list="mine"]');
            if (mine && (q.status === "pending" || q.reason)) {
              var own = document.createElement("li"); own.className = "question"; own.setAttribute("data-id", q.id);
              var ob = document.createElement("p"); ob.className = "q-body"; ob.textContent = q.body;
              var os = document.createElement("p"); os.className = "muted";
              os.textContent = q.status === "pending" ? label("pending") :
                label("hidden") + ": " + (JSON.parse(root.getAttribute("data-reasons") || "{}")[q.reason] || "") + (q.note ? " — " + q.note : "");
              own.appendChild(ob); own.appendChild(os); mine.appendChild(own);
              mine.closest("[data-mine-section]").hidden = false;
            }
            break;
          }
          if (li && li.closest('[data-list="mine"]')) { li.remove(); li = null; } // one's own, now on the list
          if (!li && list) {
            li = build(q);
            (q.status === "answered" && answered ? answered : list).appendChild(li);
            if (announce) announce.textContent = label("new");
            var empty = root.querySelector("[data-empty]"); if (empty) empty.remove();
          } else if (li && q.status === "answered" && answered && li.parentNode !== answered) {
            answered.appendChild(li);
            var section = root.querySelector("[data-answered-section]"); if (section) section.hidden = false;
          }
          if (li) setLabels(li, q.labels);
          var pinned = root.querySelector("[data-pinned]");
          if (pinned && q.pinned) { pinned.hidden = false; pinned.querySelector("[data-pinned-body]").textContent = q.body; }
          else if (pinned && !q.pinned && pinned.querySelector("[data-pinned-body]").textContent === q.body) pinned.hidden = true;
          break;
        case "question.removed":
          var gone = item(f.id); if (gone) gone.remove();
          break;
        case "votes":
          Object.keys(f.votes || {}).forEach(function (id) {
            var el = item(id), v = el && el.querySelector("[data-votes]");
            if (v && v.textContent !== String(f.votes[id])) v.textContent = f.votes[id];
          });
          offerOrder();
          break;
        case "state":
          if (moderate || present) break;
          if (!typing()) location.reload(); // who may ask, or whether questions are open, changed: the form changes
          break;
      }
    };
    // A vote button sends its vote over the socket when it is up; otherwise its form posts.
    root.addEventListener("click", function (e) {
      var btn = e.target.closest ? e.target.closest("button.vote") : null;
      if (!btn || !ws || ws.readyState !== 1) return;
      var li = btn.closest("[data-id]"); if (!li) return;
      e.preventDefault();
      var voted = btn.getAttribute("aria-pressed") === "true";
      ws.send(JSON.stringify({ type: voted ? "unvote" : "vote", id: parseInt(li.getAttribute("data-id"), 10), ref: ++ref }));
      btn.setAttribute("aria-pressed", voted ? "false" : "true");
      btn.classList.toggle("voted", !voted);
    });
    var connect = function () {
      ws = new WebSocket(url + (last ? "?since=" + last : ""));
      ws.onopen = function () { wait = 1000; root.setAttribute("data-live", "up"); if (status) status.textContent = ""; };
      ws.onmessage = function (e) {
        e.data.split("\n").forEach(function (line) { if (line) apply(JSON.parse(line)); });
      };
      ws.onclose = function () {
        root.setAttribute("data-live", "down");
        if (status) status.textContent = label("offline");
        setTimeout(connect, wait + Math.random() * 500);
        wait = Math.min(wait * 2, 30000);
      };
    };
    connect();
    if (moderate) {
      // One key per action on the question that has focus: j and k move, a approves, h
      // declines (with the reason chosen in its form), p pins, d marks answered.
      document.addEventListener("keydown", function (e) {
        var t = e.target;
        if (e.ctrlKey || e.metaKey || e.altKey || (t.tagName === "TEXTAREA" || t.tagName === "INPUT" || t.tagName === "SELECT")) return;
        var items = Array.prototype.slice.call(root.querySelectorAll("li.question"));
        var current = t.closest ? t.closest("li.question") : null, i = items.indexOf(current);
        if (e.key === "j" || e.key === "k") {
          var next = items[Math.max(0, Math.min(items.length - 1, i + (e.key === "j" ? 1 : -1)))];
          if (next) { next.focus(); e.preventDefault(); }
          return;
        }
        if (!current) return;
        var b = current.querySelector('[data-key="' + e.key + '"]');
        if (b) { e.preventDefault(); b.click(); }
      });
    }
  });

  // Minutes: the draft saves itself two seconds after the rapporteur stops typing, by sending
  // the form its Save button sends, asking for JSON. Until the server has it, the form is also
  // kept in this browser, so a dropped connection or a closed tab loses nothing: it is sent again
  // when the connection comes back, or put back in the form on the next visit. A conflict stops
  // the saving and says so; the Save button then shows both texts side by side.
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("[data-minutes-editor]");
    if (!form || form.hasAttribute("data-no-autosave") || !window.fetch || !window.URLSearchParams) return;
    var status = form.querySelector("[data-save-status]"), revision = form.querySelector("[data-revision]");
    var key = form.getAttribute("data-key"), timer = null, retry = null, busy = false, again = false, stopped = false, dirty = false;
    var say = function (name) { status.textContent = form.getAttribute("data-label-" + name); };
    // Each save is numbered: the server ignores one that arrives after a later one.
    var seq = form.querySelector("[data-seq]");
    var next = function () { seq.value = Number(seq.value) + 1; return seq.value; };
    var fields = function () {
      var data = new URLSearchParams(new FormData(form));
      data.delete("import");
      data.delete("_csrf");
      data.set("action", "save");
      return data;
    };
    var keep = function () {
      try { localStorage.setItem(key, JSON.stringify({ revision: revision.value, form: fields().toString() })); } catch (e) { /* private mode */ }
    };
    var forget = function () { try { localStorage.removeItem(key); } catch (e) { /* private mode */ } };
    // The rows the server kept, in its order: those not blank and not being removed.
    var counted = function (row) {
      var id = row.querySelector("[data-input-id]"), remove = row.querySelector('input[name$=".remove"]');
      if (remove && remove.checked) return false;
      if (id && id.value) return true;
      var body = row.querySelector('textarea[name$=".body"]');
      return !!(body && body.value.trim()) || !!row.querySelector('input[type="checkbox"]:checked');
    };
    // A new row for the next input, made from the last one with its number moved on.
    var addRow = function (last) {
      var n = Number(last.getAttribute("id").replace("input-row-", "")) + 1, row = last.cloneNode(true);
      var rename = function (v) { return v.replace(/inputs\.\d+\./g, "inputs." + n + ".").replace(/input-row-\d+/, "input-row-" + n); };
      row.id = "input-row-" + n;
      row.querySelectorAll("[name],[id],[for],[aria-describedby]").forEach(function (el) {
        ["name", "id", "for", "aria-describedby"].forEach(function (a) { if (el.hasAttribute(a)) el.setAttribute(a, rename(el.getAttribute(a))); });
        if (el.type === "checkbox") { el.checked = false; } else if (el.tagName === "SELECT") { el.selectedIndex = 0; } else if (el.name) { el.value = ""; }
      });
      var key = row.querySelector("[data-input-key]");
      if (!key) {
        key = document.createElement("input");
        key.type = "hidden"; key.setAttribute("data-input-key", "");
        row.insertBefore(key, row.querySelector("[data-input-id]").nextSibling);
      }
      key.name = "inputs." + n + ".key";
      key.value = form.querySelector('[name="editor"]').value + "-n" + n;
      row.querySelectorAll(".error-message").forEach(function (el) { el.remove(); });
      last.parentNode.appendChild(row);
    };
    var learn = function (inputs) {
      var rows = Array.prototype.slice.call(form.querySelectorAll("[data-row]")).filter(counted);
      rows.forEach(function (row, i) {
        var x = inputs[i], id = row.querySelector("[data-input-id]");
        if (!x || !id || id.value) return;
        id.value = x.id;
        row.querySelector("legend").textContent = form.getAttribute("data-label-input").replace("{ID}", x.public_id);
      });
      var all = form.querySelectorAll("[data-row]"), last = all[all.length - 1];
      if (last && last.querySelector("[data-input-id]").value) addRow(last);
    };
    var save = function () {
      timer = null;
      if (stopped) return;
      if (busy) { again = true; return; }
      busy = true;
      say("saving");
      next();
      keep();
      // Not form.action: the Save buttons are named "action", and a named control hides it.
      fetch(form.getAttribute("action"), { method: "POST", body: fields(), credentials: "same-origin",
        headers: { "X-Convene-Autosave": "1", "Accept": "application/json", "X-CSRF-Token": form.querySelector('[name="_csrf"]').value } })
        .then(function (r) {
          return r.json().then(function (j) { return { ok: r.ok, status: r.status, j: j }; });
        })
        .then(function (r) {
          if (r.ok) {
            revision.value = r.j.revision;
            learn(r.j.inputs || []);
            forget();
            dirty = false;
            say("saved");
            return;
          }
          if (r.status === 409 && r.j.error && r.j.error.code === "minutes_conflict") { stopped = true; say("conflict"); return; }
          say("failed");
        })
        .catch(function () {
          say("offline");
          if (!retry) retry = setTimeout(function () { retry = null; save(); }, 5000);
        })
        .then(function () { busy = false; if (again) { again = false; schedule(); } });
    };
    var schedule = function () {
      dirty = true;
      keep();
      if (timer) clearTimeout(timer);
      timer = setTimeout(save, 2000);
    };
    // What this browser kept and the server never confirmed is put back, with the revision it
    // was typed on: if someone saved since, the next save is a conflict, not an overwrite.
    var kept = null;
    try { kept = JSON.parse(localStorage.getItem(key) || "null"); } catch (e) { kept = null; }
    if (kept && kept.form) {
      var data = new URLSearchParams(kept.form);
      form.querySelectorAll("input[type=checkbox][name]").forEach(function (el) {
        if (el.name !== "import") el.checked = data.getAll(el.name).indexOf(el.value) >= 0;
      });
      data.forEach(function (value, name) {
        var el = form.querySelector('[name="' + name.replace(/"/g, "") + '"]');
        if (el && el.type !== "checkbox" && el.type !== "hidden") el.value = value;
        if (el && name !== "revision" && el.type === "hidden" && !el.value) el.value = value;
      });
      revision.value = kept.revision;
      say("restored");
      schedule();
    }
    form.addEventListener("input", schedule);
    form.addEventListener("change", schedule);
    window.addEventListener("online", function () { if (dirty && !stopped) save(); });
    form.addEventListener("submit", function () { stopped = true; next(); forget(); });
    window.addEventListener("beforeunload", function (e) { if (dirty && !stopped) { keep(); e.preventDefault(); } });
  });

  // The check-in desk: a code typed, scanned with a USB scanner (which types it and Enter) or
  // read by the camera is sent without leaving the page, so the camera keeps running and the
  // field stays focused for the next code. Who came, or why not, shows in large type and is
  // announced. The camera decodes with the browser's BarcodeDetector where there is one, else
  // with the vendored jsQR; a badge kept in view is read once.
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-desk-form]");
    if (!form || !window.fetch) return;
    var field = form.querySelector("[name=code]");
    var result = document.querySelector("[data-desk-result]");
    var counts = document.querySelector("[data-live-counts]");
    var button = form.querySelector("[data-desk-camera]");
    var video = form.querySelector("[data-desk-video]");
    var busy = false, lastCode = "", lastAt = 0, stream = null, detector = null, canvas = null;

    function show(ok, name, detail) {
      result.className = "desk-result " + (ok ? "done" : "refused");
      result.textContent = "";
      var p = document.createElement("p");
      p.className = "desk-name";
      p.textContent = name;
      result.appendChild(p);
      if (detail) {
        var d = document.createElement("p");
        d.className = "desk-detail";
        d.textContent = detail;
        result.appendChild(d);
      }
    }

    function send(code) {
      if (busy || !code.trim()) return;
      busy = true;
      var body = new URLSearchParams(new FormData(form));
      body.set("code", code);
      fetch(form.getAttribute("action"), { method: "POST", body: body, credentials: "same-origin",
        headers: { "Accept": "application/json" } })
        .then(function (r) { return r.json(); })
        .then(function (a) {
          show(a.ok, a.ok ? a.name : a.message, a.ok ? a.detail : "");
          if (counts) {
            counts.querySelector('[data-count="checked_in"]').textContent = a.checked_in;
            counts.querySelector('[data-count="confirmed"]').textContent = a.confirmed;
          }
        })
        .catch(function () { show(false, form.dataset.labelFailed, ""); })
        .then(function () { busy = false; field.value = ""; field.focus(); });
    }

    form.addEventListener("submit", function (e) {
      e.preventDefault();
      send(field.value);
    });

    function seen(code) {
      // A badge held in front of the camera is read once; shown again after a pause, again.
      var now = Date.now(), again = code === lastCode && now - lastAt < 3000;
      lastCode = code;
      lastAt = now;
      if (again) return;
      field.value = code;
      send(code);
    }

    function scan() {
      if (!stream) return;
      var done = function () { if (stream) setTimeout(scan, 200); };
      if (video.readyState < 2) return done();
      if (detector) {
        detector.detect(video).then(function (codes) { if (codes.length) seen(codes[0].rawValue); }).catch(function () {}).then(done);
        return;
      }
      if (!window.jsQR) return done();
      canvas = canvas || document.createElement("canvas");
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      var ctx = canvas.getContext("2d", { willReadFrequently: true });
      ctx.drawImage(video, 0, 0, canvas.width, canvas.height);
      var img = ctx.getImageData(0, 0, canvas.width, canvas.height);
      var qr = window.jsQR(img.data, img.width, img.height, { inversionAttempts: "dontInvert" });
      if (qr && qr.data) seen(qr.data);
      done();
    }

    function stop() {
      if (stream) stream.getTracks().forEach(function (t) { t.stop(); });
      stream = null;
      video.hidden = true;
      button.textContent = form.dataset.labelCameraOn;
      field.focus();
    }

    if (!button || !navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      if (stream) return stop();
      navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false }).then(function (s) {
        stream = s;
        video.srcObject = s;
        video.hidden = false;
        button.textContent = form.dataset.labelCameraOff;
        return video.play();
      }).then(function () {
        if (!("BarcodeDetector" in window)) return null;
        return window.BarcodeDetector.getSupportedFormats().then(function (f) {
          if (f.indexOf("qr_code") >= 0) detector = new window.BarcodeDetector({ formats: ["qr_code"] });
        });
      }).then(scan).catch(function () {
        stop();
        show(false, form.dataset.labelNoCamera, "");
      });
    });
  });
  // A draft's paragraphs: a tap on a paragraph (or its link) opens its thread below it, read
  // from the paragraph's own page; words selected in the paragraph first become the comment's
  // quote. Without this the link leads to that page, with the same forms.
  document.addEventListener("DOMContentLoaded", function () {
    var draft = document.querySelector("[data-draft]");
    if (!draft || !window.fetch || !window.DOMParser) return;
    var selected = function (para) {
      var sel = window.getSelection && window.getSelection();
      if (!sel || sel.isCollapsed || !para.contains(sel.anchorNode)) return "";
      return String(sel).replace(/\s+/g, " ").trim();
    };
    var open = function (para, quote) {
      var link = para.querySelector(".thread-link"), slot = para.querySelector(".thread-slot");
      if (!slot.hidden) {
        slot.hidden = true;
        link.setAttribute("aria-expanded", "false");
        return;
      }
      fetch(link.href, { credentials: "same-origin" }).then(function (r) {
        if (!r.ok) throw new Error(r.status);
        return r.text();
      }).then(function (html) {
        var thread = new DOMParser().parseFromString(html, "text/html").getElementById("paragraph-thread");
        if (!thread) throw new Error("no thread");
        slot.replaceChildren.apply(slot, Array.prototype.slice.call(thread.childNodes).map(function (n) { return document.importNode(n, true); }));
        slot.hidden = false;
        link.setAttribute("aria-expanded", "true");
        var field = slot.querySelector('input[name="quote"]');
        if (field && quote) field.value = quote;
        var focus = slot.querySelector("textarea") || slot.querySelector("h2");
        if (focus) {
          if (focus.tagName === "H2") focus.setAttribute("tabindex", "-1");
          focus.focus();
        }
      }).catch(function () { window.location.href = link.href; });
    };
    draft.addEventListener("click", function (e) {
      var para = e.target.closest(".para");
      if (!para || e.target.closest(".thread-slot")) return;
      var link = e.target.closest("a");
      if (link && !link.classList.contains("thread-link")) return;
      e.preventDefault();
      open(para, selected(para));
    });
  });
})();
