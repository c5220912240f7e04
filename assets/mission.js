/* Mission Control client-side helpers: kiosk/embed modes, and no polling while the tab is
   hidden (the interval is disabled until the tab is visible again). The LIVE indicator and the
   wall (rotation, self-healing) are in wall.js. Each asset adds its functions to the `mc`
   namespace without replacing the others'. */
window.dash_clientside = window.dash_clientside || {};
window.dash_clientside.mc = Object.assign({}, window.dash_clientside.mc, {
    screenMode: function (search) {
      const params = new URLSearchParams(search || "");
      let cls = "mc-root";
      if (params.get("kiosk") === "1" || params.get("kiosk") === "true") { cls += " kiosk"; }
      if (params.get("embed") === "1" || params.get("embed") === "true") { cls += " embed"; }
      return cls;
    }
});

document.addEventListener("visibilitychange", function () {
  if (window.dash_clientside && window.dash_clientside.set_props) {
    window.dash_clientside.set_props("mc-tick", {disabled: document.hidden});
  }
});
