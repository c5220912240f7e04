/* Dashboard load time, as the browser saw it: from navigation start (performance.now() is 0
   there) to the page filled, i.e. the first moment a figure is drawn or a table has a row
   and no Dash callback is still pending. Sent once per page load to the server's
   /api/v1/metrics/load-time (mc_dashboard_load_seconds on /metrics). A file of its own, no
   inline script, same-origin fetch only: the Content-Security-Policy (script-src 'self',
   connect-src 'self') allows it. A page that never fills within GIVE_UP_MS reports nothing. */
(function () {
  "use strict";
  if (window.mcLoadBeacon) { return; }
  window.mcLoadBeacon = "waiting";
  const GIVE_UP_MS = 120000;
  const FILLED = ".js-plotly-plot .main-svg, table tr td";

  function prefix() {
    // Behind a sub-path the app's URLs start with Dash's requests_pathname_prefix.
    const config = document.getElementById("_dash-config");
    try {
      return (config && JSON.parse(config.textContent).requests_pathname_prefix) || "/";
    } catch (e) {
      return "/";
    }
  }

  function filled() {
    const root = document.getElementById("react-entry-point");
    return !!(root && root.querySelector(FILLED) && !document.querySelector('[data-dash-is-loading="true"]'));
  }

  function csrfHeader() {
    const found = document.cookie.split("; ").find((c) => c.startsWith("_csrf_token="));
    return found ? {"X-CSRFToken": decodeURIComponent(found.slice("_csrf_token=".length))} : {};
  }

  function send(seconds) {
    window.mcLoadBeacon = "sent";
    fetch(prefix() + "api/v1/metrics/load-time", {
      method: "POST",
      // A signed-in session's writes carry its CSRF token (auth/csrf.py), as Dash's own do.
      headers: Object.assign({"Content-Type": "application/json"}, csrfHeader()),
      body: JSON.stringify({seconds: seconds}),
      credentials: "same-origin",
      keepalive: true
    }).catch(function () { /* a lost sample is not worth an error */ });
  }

  let observer = null;
  function check() {
    if (window.mcLoadBeacon !== "waiting") { return; }
    if (performance.now() > GIVE_UP_MS) {
      window.mcLoadBeacon = "gave up";
    } else if (filled()) {
      send(performance.now() / 1000);
    } else {
      return;
    }
    if (observer) { observer.disconnect(); }
  }

  function start() {
    observer = new MutationObserver(function () { window.requestAnimationFrame(check); });
    observer.observe(document.body, {childList: true, subtree: true, attributes: true,
                                     attributeFilter: ["data-dash-is-loading"]});
    check();
  }

  if (document.body) { start(); } else { document.addEventListener("DOMContentLoaded", start); }
})();
