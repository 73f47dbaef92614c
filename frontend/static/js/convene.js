// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    // Move focus to the error summary so screen-reader and keyboard users hear what went wrong.
    var summary = document.querySelector(".error-summary");
    if (summary) { summary.focus(); }
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
