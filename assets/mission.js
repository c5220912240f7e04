/* Mission Control client-side helpers: the LIVE indicator, kiosk/embed modes, and no polling
   while the tab is hidden (the interval is disabled until the tab is visible again). */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  mc: {
    liveIndicator: function (_n, built) {
      const now = new Date();
      // The clock in the zone the header's toggle picked (assets/time.js), the other on hover.
      const [clock, utc] = window.mcTime ? window.mcTime.clock(now)
        : [now.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit"}),
           "UTC " + now.toISOString().slice(11, 19)];
      if (!built || !built.t) {
        return ["—", "mc-live live-stale", "NO DATA", clock, utc];
      }
      const age = Math.max(0, now.getTime() / 1000 - built.t);
      const refresh = (built.r || 1000) / 1000;
      let cls = "mc-live live-ok", text = "LIVE";
      if (age > Math.max(30, refresh * 30)) { cls = "mc-live live-stale"; text = "STALE"; }
      else if (age > Math.max(5, refresh * 5)) { cls = "mc-live live-late"; text = "DELAYED"; }
      return [age.toFixed(0) + " s", cls, text, clock, utc];
    },
    screenMode: function (search) {
      const params = new URLSearchParams(search || "");
      let cls = "mc-root";
      if (params.get("kiosk") === "1" || params.get("kiosk") === "true") { cls += " kiosk"; }
      if (params.get("embed") === "1" || params.get("embed") === "true") { cls += " embed"; }
      return cls;
    }
  }
});

document.addEventListener("visibilitychange", function () {
  if (window.dash_clientside && window.dash_clientside.set_props) {
    window.dash_clientside.set_props("mc-tick", {disabled: document.hidden});
  }
});
