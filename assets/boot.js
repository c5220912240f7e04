/* The shell's work on page load, in one Dash callback (mcBoot.boot, pages/shell/callbacks.py):
   start the push stream (push.js), show the header from the first paint's stamp (wall.js), the
   time toggle (time.js) and the kiosk / embed classes (mission.js). Those functions keep their
   own callbacks for later changes; on load one callback instead of four keeps the renderer's
   store updates, each of which runs every component's selectors, to a minimum. */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  mcBoot: {
    boot: function (pushConfig, stamp, wallConfig, zone, search) {
      const dc = window.dash_clientside;
      dc.mcPush.start(pushConfig);
      return [].concat(dc.mc.liveIndicator(stamp, wallConfig), dc.mcTime.apply(zone), [dc.mc.screenMode(search)]);
    }
  }
});
