/* Mission Control client-side helpers: kiosk/embed modes. The live trigger (push stream,
   fallback poll, nothing while the tab is hidden) is in push.js; the LIVE indicator and the
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

