/* The wall: a screen nobody touches must never lie and never die.

   1. Staleness is decided here, in the browser. The server only sends a stamp of the latest
      snapshot ({t: its build time, r: the producer's refresh, now: the server's clock}); the
      header compares t with this browser's clock every second, on the wall clock (a
      dcc.Interval whose callback depends on nothing a server callback writes, because Dash
      holds back any callback whose input or state a pending callback will write). So when the
      server hangs or is unreachable the header still turns DELAYED (amber) after 2 refresh
      intervals, STALE (red) after 5, and after MC_WALL_FROZEN_AFTER intervals a watermark over
      the whole screen reads "DATA FROZEN SINCE <time>" (the viewer's local time, or UTC when
      the header's zone toggle says so).
   2. Kiosk rotation: ?kiosk=1&rotate=mission,discovery,quotas&every=30 shows the listed pages
      in order, looping, `every` seconds each (clamped to MC_WALL_ROTATE_MIN..3600), and keeps
      the query on every page. It holds while the data is STALE: switching pages on a hung
      server only queues requests, and the watermark is the news.
   3. Kiosk self-healing: /healthz is fetched every MC_WALL_HEALTH_EVERY seconds; after
      consecutive fast failures (refused, network error, HTTP error: a restart, a lost
      network) the page reloads as soon as the server answers again. A check that merely hangs
      does not count: a paused or overloaded server is the same process, and the page catches
      up by itself once it answers. Once a day, at MC_WALL_RELOAD_HOUR local time plus up to
      30 min of jitter (walls behind one server do not all reload at once), the page reloads
      to bound the browser's memory, only after /healthz answers (a reload into a dead server
      would leave an error page with no script to bring it back).

   State lives in window.mcWall (tests read it); the Dash entry points are mc.liveIndicator,
   mc.wallTick and mc.keepWallQuery (pages/shell/callbacks.py). */
(function () {
  "use strict";

  // Clock-offset samples kept: network delay only ever makes a sample smaller (the server's
  // clock was read before the answer travelled), so the largest recent one is the best.
  const OFFSET_SAMPLES = 30;
  const DAILY_JITTER_MS = 30 * 60 * 1000;
  // A page opened just before the reload hour is not reloaded again right away.
  const DAILY_MIN_UPTIME_MS = 60 * 60 * 1000;
  const MODE_PARAMS = ["kiosk", "embed", "rotate", "every"];

  const loadParams = new URLSearchParams(window.location.search);
  const flag = (params, name) => ["1", "true"].includes((params.get(name) || "").toLowerCase());
  // A monotonic clock: the browser's wall clock may be stepped, this one is not.
  const browserNow = () => performance.timeOrigin + performance.now();

  const wall = {
    // `?kiosk=1`, or `?kiosk=<token>` (a kiosk token, auth/kiosk.py: 32+ characters) is a wall.
    kiosk: flag(loadParams, "kiosk") || (loadParams.get("kiosk") || "").length >= 32,
    // The display-mode part of the query this page was opened with, kept on every page.
    modeParams: MODE_PARAMS.filter((k) => loadParams.has(k)).map((k) => [k, loadParams.get(k)]),
    // Until the first Dash callback brings the server's settings (pages/shell/model.py).
    // The thresholds are in refresh intervals, after a grace in seconds (pages/shell/model.py says why).
    config: {refresh_ms: 1000, poll_ms: 15000, delayed_after: 2, stale_after: 5, grace_s: 1, frozen_after: 10, rotate_min_s: 10, rotate_max_s: 3600,
             health_every_s: 5, health_failures: 3, reload_hour: 4, pages: {}},
    stamp: null,
    offsets: [],
    state: "nodata",
    lastPath: null,
    lastSwitch: browserNow(),
    // When the tab last came back into view: a hidden tab does not listen (push.js), so the
    // data it shows on return is old until its first update; the watermark waits for that chance
    // (the header does not: the data is old). 0: the first paint has just fetched its data.
    visibleSince: 0,
    failures: 0,
    dailyReloadAt: null,
    reloading: false,
  };
  window.mcWall = wall;

  // -- staleness ----------------------------------------------------------------------------
  // When the first paint (the layout response) arrived: its stamp's receipt time.
  function layoutArrived() {
    const entry = performance.getEntriesByType("resource").find((e) => e.name.indexOf("_dash-layout") !== -1);
    return entry && entry.responseStart ? performance.timeOrigin + entry.responseStart : browserNow();
  }

  wall.configure = function (config) {
    if (!config || typeof config !== "object") { return; }
    // The first paint's stamp comes with the settings too: a store no server callback writes,
    // so the page states its data's age even if no server callback ever answers.
    if (!wall.stamp && config.painted) { wall.record(config.painted, layoutArrived()); }
    const hourChanged = config.reload_hour !== wall.config.reload_hour;
    wall.config = Object.assign({}, wall.config, config);
    if (wall.kiosk && (hourChanged || wall.dailyReloadAt === null)) { planDailyReload(); }
  };

  // `receivedAt`: when the stamp reached this browser (default: now).
  wall.record = function (stamp, receivedAt) {
    if (!stamp || typeof stamp !== "object") { return; }
    if (typeof stamp.now === "number") {
      wall.offsets.push(stamp.now * 1000 - (receivedAt || browserNow()));
      if (wall.offsets.length > OFFSET_SAMPLES) { wall.offsets.shift(); }
    }
    wall.stamp = stamp;
  };

  // Server clock minus browser clock, ms (0 until a stamp has said what the server's is).
  wall.offsetMs = function () {
    return wall.offsets.length ? Math.max.apply(null, wall.offsets) : 0;
  };

  wall.judge = function () {
    const s = wall.stamp;
    if (!s || typeof s.t !== "number") { return {state: "nodata"}; }
    const offset = wall.offsetMs();
    const age = Math.max(0, (browserNow() + offset) / 1000 - s.t);
    // While the push stream does not deliver, the page polls (push.js): data up to a poll old is
    // what a healthy page shows then.
    const polling = !(window.mcPush && window.mcPush.streaming);
    const interval = Math.max(s.r || 0, wall.config.refresh_ms || 0, polling ? wall.config.poll_ms || 0 : 0, 100) / 1000;
    const c = wall.config;
    const late = (age - c.grace_s) / interval;
    let state = "live";
    const catchingUp = (browserNow() - wall.visibleSince) / 1000 < c.delayed_after * interval + c.grace_s;
    if (late > c.frozen_after && !catchingUp) { state = "frozen"; }
    else if (late > c.stale_after) { state = "stale"; }
    else if (late > c.delayed_after) { state = "delayed"; }
    // The build time on this browser's clock, for the viewer's local time.
    return {state: state, age: age, since: new Date(s.t * 1000 - offset)};
  };

  const two = {hour: "2-digit", minute: "2-digit", second: "2-digit"};
  // In the zone the header's toggle picked (assets/time.js): the viewer's, or UTC.
  const inUtc = () => !!(window.mcTime && window.mcTime.mode() === "utc");
  function when(date) {
    if (inUtc()) {
      const iso = date.toISOString();
      const today = new Date().toISOString().slice(0, 10) === iso.slice(0, 10);
      return (today ? "" : iso.slice(0, 10) + " ") + iso.slice(11, 19) + " UTC";
    }
    const today = new Date().toDateString() === date.toDateString();
    return today ? date.toLocaleTimeString([], two)
      : date.toLocaleString([], Object.assign({month: "short", day: "numeric"}, two));
  }
  function ageText(s) {
    if (s < 120) { return s.toFixed(0) + " s"; }
    if (s < 7200) { return (s / 60).toFixed(0) + " min"; }
    if (s < 172800) { return (s / 3600).toFixed(0) + " h"; }
    return (s / 86400).toFixed(0) + " d";
  }

  const LOOK = {
    live: ["mc-live live-ok", "LIVE"],
    delayed: ["mc-live live-late", "DELAYED"],
    stale: ["mc-live live-stale", "STALE"],
    frozen: ["mc-live live-stale live-frozen", "STALE"],
  };

  // [age, LIVE class, LIVE text, LIVE title, clock, clock title, watermark hidden, watermark text]
  wall.render = function () {
    const now = new Date();
    const [clock, utc] = window.mcTime ? window.mcTime.clock(now)
      : [now.toLocaleTimeString([], two), "UTC " + now.toISOString().slice(11, 19)];
    const j = wall.judge();
    wall.state = j.state;
    if (j.state === "nodata") {
      return ["—", "mc-live live-stale", "NO DATA", "no snapshot yet", clock, utc, true, ""];
    }
    const look = LOOK[j.state];
    const frozen = j.state === "frozen";
    return [ageText(j.age), look[0], look[1], "snapshot built " + when(j.since),
            clock, utc, !frozen, frozen ? "DATA FROZEN SINCE " + when(j.since) : ""];
  };

  // -- rotation -----------------------------------------------------------------------------
  // The next page's path, or null: kiosk only, never while the data is stale.
  wall.nextPage = function (pathname, search) {
    const now = browserNow();
    if (pathname !== wall.lastPath) { wall.lastPath = pathname; wall.lastSwitch = now; }
    const params = new URLSearchParams(search || "");
    if (!wall.kiosk || !params.get("rotate") || wall.state === "stale" || wall.state === "frozen") { return null; }
    const pages = wall.config.pages || {};
    const paths = params.get("rotate").split(",").map((n) => pages[n.trim().toLowerCase()]).filter(Boolean);
    if (!paths.length) { return null; }
    let every = parseInt(params.get("every"), 10);
    if (!Number.isFinite(every)) { every = 30; }
    every = Math.min(Math.max(every, wall.config.rotate_min_s), wall.config.rotate_max_s);
    if (now - wall.lastSwitch < every * 1000) { return null; }
    const next = paths[(paths.indexOf(pathname) + 1) % paths.length];
    wall.lastSwitch = now;
    return next === pathname ? null : next;
  };

  // -- self-healing and the daily reload (kiosk only) ---------------------------------------
  function healthUrl() {
    try {
      const cfg = JSON.parse(document.getElementById("_dash-config").textContent);
      return (cfg.requests_pathname_prefix || "/") + "healthz";
    } catch (e) {
      return "/healthz";
    }
  }

  // "ok", "down" (refused, network error, HTTP error) or "hung" (no answer in time).
  async function checkHealth() {
    const ctrl = new AbortController();
    const timer = setTimeout(() => ctrl.abort(), Math.max(3000, wall.config.health_every_s * 1000));
    try {
      const resp = await fetch(healthUrl(), {cache: "no-store", signal: ctrl.signal});
      return resp.ok ? "ok" : "down";
    } catch (e) {
      return ctrl.signal.aborted ? "hung" : "down";
    } finally {
      clearTimeout(timer);
    }
  }
  wall.checkHealth = checkHealth;

  function reload(why) {
    if (wall.reloading) { return; }
    wall.reloading = true;
    console.info("Mission Control wall: reloading (" + why + ")");
    window.location.reload();
  }

  async function healLoop() {
    const result = await checkHealth();
    if (result === "down") {
      wall.failures += 1;
    } else if (result === "ok") {
      if (wall.failures >= wall.config.health_failures) { reload("the server answers again"); return; }
      wall.failures = 0;
    }
    setTimeout(healLoop, wall.config.health_every_s * 1000);
  }

  function planDailyReload() {
    const now = Date.now();
    const at = new Date(now);
    at.setHours(wall.config.reload_hour, 0, 0, 0);
    at.setTime(at.getTime() + Math.random() * DAILY_JITTER_MS);
    while (at.getTime() < now + DAILY_MIN_UPTIME_MS) { at.setDate(at.getDate() + 1); }
    wall.dailyReloadAt = at.getTime();
  }

  async function dailyLoop() {
    // The wall clock (Date), checked each minute: a timer set a day ahead drifts and sleeps.
    if (wall.dailyReloadAt !== null && Date.now() >= wall.dailyReloadAt && (await checkHealth()) === "ok") {
      reload("daily");
      return;
    }
    setTimeout(dailyLoop, 60 * 1000);
  }

  document.addEventListener("visibilitychange", function () {
    if (!document.hidden) { wall.visibleSince = browserNow(); }
  });

  if (wall.kiosk) {
    planDailyReload();
    setTimeout(healLoop, wall.config.health_every_s * 1000);
    setTimeout(dailyLoop, 60 * 1000);
  }

  // -- Dash entry points --------------------------------------------------------------------
  const dc = (window.dash_clientside = window.dash_clientside || {});
  dc.mc = Object.assign({}, dc.mc, {
    // A stamp arrived (the first paint's included): keep it and show the state now.
    liveIndicator: function (stamp, config) {
      wall.configure(config);
      wall.record(stamp);
      return wall.render();
    },
    // Every second, whatever the server does: the header, the watermark, and kiosk rotation.
    wallTick: function (_n, config, pathname, search) {
      wall.configure(config);
      const out = wall.render();
      const next = wall.nextPage(pathname, search);
      return out.concat([next === null ? window.dash_clientside.no_update : next]);
    },
    // A navigation that dropped the display mode (a nav link is a bare path) gets it back.
    keepWallQuery: function (_pathname, search) {
      if (!wall.modeParams.length) { return window.dash_clientside.no_update; }
      const current = new URLSearchParams(search || "");
      const missing = wall.modeParams.filter(([k]) => !current.has(k));
      if (!missing.length) { return window.dash_clientside.no_update; }
      missing.forEach(([k, v]) => current.set(k, v));
      return "?" + current.toString();
    },
  });
})();
