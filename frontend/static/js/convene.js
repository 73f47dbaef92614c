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
    var day = new Intl.DateTimeFormat(lang, { weekday: "short", day: "numeric", timeZone: zone });
    var time = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone });
    var named = new Intl.DateTimeFormat(lang, { hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: zone, timeZoneName: "short" });
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
})();
