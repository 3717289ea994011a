/* The dashboard's few lines of script: live tail over server-sent events, small conveniences.
   Everything works without it, except live updates. */
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  // 1. Times are rendered by the server in the business time zone (HUB_TIME_ZONE), UTC on hover.

  // 2. Selects marked data-autosubmit submit their form (the language switch).
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.matches && el.matches("select[data-autosubmit]")) { el.form.submit(); }
  });

  // 3. Forms marked data-confirm ask first.
  document.addEventListener("submit", function (ev) {
    var msg = ev.target.getAttribute && ev.target.getAttribute("data-confirm");
    if (msg && !window.confirm(msg)) { ev.preventDefault(); }
  });

  // 4. Live tail: <tbody data-stream="url"> receives "row" events {id, html}; a known row is replaced,
  //    a new one goes on top. The browser reconnects by itself, sending Last-Event-ID.
  var source = null;
  function connect() {
    if (source) { source.close(); source = null; }
    var body = document.querySelector("tbody[data-stream]");
    var toggle = document.getElementById("live");
    if (!body || (toggle && !toggle.checked) || !window.EventSource) { return; }
    source = new EventSource(body.getAttribute("data-stream"));
    source.addEventListener("row", function (ev) {
      var data = JSON.parse(ev.data);
      var tpl = document.createElement("template");
      tpl.innerHTML = data.html.trim();
      var row = tpl.content.firstElementChild;
      if (!row) { return; }
      row.classList.add("fresh");
      var old = document.getElementById("m-" + data.id);
      if (old) { old.replaceWith(row); } else { body.insertBefore(row, body.firstElementChild); }
      var empty = document.getElementById("messages-empty");
      if (empty) { empty.remove(); }
    });
  }
  document.addEventListener("DOMContentLoaded", connect);
  document.addEventListener("htmx:afterSettle", connect);
  document.addEventListener("change", function (ev) { if (ev.target.id === "live") { connect(); } });
  window.addEventListener("pagehide", function () { if (source) { source.close(); } });
})();
