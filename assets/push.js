/* Push instead of poll: the browser asks the server for an update only when there is one.

   The page opens one Server-Sent-Events stream, <requests_pathname_prefix>api/v1/stream?only=version
   (api/streams.py). The server sends the current snapshot version at once, then one `version`
   event per new snapshot ({"version": N, "built_at": ISO, "published_at": epoch ms}). Each new
   version sets the shell's `mc-version` store, which triggers the page's live callback and the
   shell's `snapshot_time` (each page's callbacks.py): a tab with nothing new to show sends nothing.
   Each tab waits a random 0..spread_ms (MC_PUSH_SPREAD_MS) after a notice before setting the
   store, so the tabs of a room do not all ask in the same millisecond.

   While the stream is not open (a proxy blocks it, the deployment's stream cap answers 503, the
   stream is disabled, EventSource is missing) the slow `mc-poll` interval (MC_FALLBACK_POLL_S)
   sets the store instead; while the stream delivers, that interval is disabled. A failed stream
   is reopened after a back-off (1 s doubling to 60 s, with jitter, so a restarted server is
   not hit by every tab at once). A hidden tab closes its stream and does not poll; it catches up
   when it is shown again (the server's first event is the current version).

   Failures EventSource cannot report are watched for:
   - a stream whose headers arrived but whose first event (sent at once by the server) did not
     within FIRST_NOTICE_MS is held by a buffering proxy: the page falls back to polling;
   - an open stream silent for SILENCE_MS is reopened (a reopen sends the current version; an
     unchanged one costs no Dash request).
   A connection that merely hangs (a paused or overloaded server) changes nothing: polling the
   same server would hang too, and the wall (wall.js) shows the data's age meanwhile.

   State lives in window.mcPush (tests read it); the Dash entry points are mcPush.start (called on
   load with the shell's PUSH store by boot.js) and mcPush.poll (each fallback poll tick). */
(function () {
  "use strict";

  const RETRY_MIN_MS = 1000;
  const RETRY_MAX_MS = 60000;
  // A stream that lived this long was a working one: the next failure starts the back-off anew.
  const STABLE_MS = 30000;
  const FIRST_NOTICE_MS = 10000;
  const SILENCE_MS = 60000;
  const VERSION = "mc-version";
  const POLL = "mc-poll";

  const push = {
    config: null,
    source: null,
    // True while the stream delivers (its first event arrived and no error since).
    streaming: false,
    lastVersion: undefined,
    // Counters for tests and for a person at the console.
    notices: 0,
    connects: 0,
    failures: 0,
    retryMs: RETRY_MIN_MS,
    openedAt: 0,
    timers: {retry: null, first: null, silence: null, spread: null},
  };
  window.mcPush = push;

  function setProps(id, props) {
    const dc = window.dash_clientside;
    if (dc && dc.set_props) { dc.set_props(id, props); }
  }

  function streamUrl() {
    let prefix = "/";
    try {
      const cfg = JSON.parse(document.getElementById("_dash-config").textContent);
      prefix = cfg.requests_pathname_prefix || "/";
    } catch (e) { /* no config: the app is at the root */ }
    return prefix + push.config.path;
  }

  function clear(name) {
    if (push.timers[name] !== null) { clearTimeout(push.timers[name]); push.timers[name] = null; }
  }

  // The fallback poll runs exactly while the stream does not deliver and the tab is visible.
  function pollWhileNeeded() {
    setProps(POLL, {disabled: push.streaming || document.hidden});
  }

  function close() {
    clear("first");
    clear("silence");
    if (push.source) {
      push.source.onopen = push.source.onerror = null;
      push.source.close();
      push.source = null;
    }
  }

  function fallBack() {
    close();
    push.streaming = false;
    push.failures += 1;
    pollWhileNeeded();
    if (document.hidden) { return; }
    clear("retry");
    const wait = push.retryMs * (0.5 + Math.random() / 2);
    push.retryMs = Math.min(RETRY_MAX_MS, push.retryMs * 2);
    push.timers.retry = setTimeout(connect, wait);
  }

  function armSilence() {
    clear("silence");
    push.timers.silence = setTimeout(function () { close(); connect(); }, SILENCE_MS);
  }

  function onVersion(event) {
    let data = null;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    const version = data && data.version;
    if (typeof version !== "number" || !Number.isFinite(version)) { return; }
    push.notices += 1;
    clear("first");
    armSilence();
    // A connection's first event is the version current when it opened (no burst: tabs open
    // and reconnect at their own times): it is passed on at once.
    const published = push.streaming;
    if (!push.streaming) {
      push.streaming = true;
      pollWhileNeeded();
    }
    if (version === push.lastVersion) { return; }
    push.lastVersion = version;
    // Every tab hears a notice in the same few milliseconds; each waits a random part of
    // spread_ms before asking, so the server answers a room of tabs one after another instead
    // of all at once. A newer notice meanwhile replaces the pending one (one request, newest).
    const spread = Number(push.config.spread_ms) || 0;
    clear("spread");
    if (spread <= 0 || !published) { setProps(VERSION, {data: {v: version}}); return; }
    push.timers.spread = setTimeout(function () {
      push.timers.spread = null;
      setProps(VERSION, {data: {v: push.lastVersion}});
    }, Math.random() * spread);
  }

  function connect() {
    clear("retry");
    close();
    if (document.hidden || !push.config || !push.config.stream || typeof EventSource === "undefined") { return; }
    push.connects += 1;
    const source = new EventSource(streamUrl());
    push.source = source;
    source.addEventListener("version", onVersion);
    source.onopen = function () { push.openedAt = Date.now(); };
    // EventSource reports a refused stream (503, 404) and a dropped one alike; either way this
    // page polls until a reopened stream delivers again.
    source.onerror = function () {
      if (push.openedAt && Date.now() - push.openedAt > STABLE_MS) { push.retryMs = RETRY_MIN_MS; }
      push.openedAt = 0;
      fallBack();
    };
    // The server sends the current version at once. Open without it: a proxy holds the events
    // back. Still connecting: the server does not answer yet, and polling it would not help.
    push.timers.first = setTimeout(function () {
      push.timers.first = null;
      if (push.source === source && source.readyState === EventSource.OPEN && !push.streaming) { fallBack(); }
    }, FIRST_NOTICE_MS);
  }

  document.addEventListener("visibilitychange", function () {
    if (!push.config) { return; }
    if (document.hidden) {
      clear("retry");
      close();
      push.streaming = false;
      pollWhileNeeded();
    } else {
      pollWhileNeeded();
      connect();
    }
  });

  const dc = (window.dash_clientside = window.dash_clientside || {});
  dc.mcPush = Object.assign({}, dc.mcPush, {
    // On load, with the shell's PUSH settings ({stream: served?, path}).
    start: function (config) {
      if (config && typeof config === "object" && !push.config) {
        push.config = config;
        connect();
      }
      return window.dash_clientside.no_update;
    },
    // A fallback poll tick: ask the server whether anything changed.
    poll: function (n) {
      return {poll: n};
    },
  });
})();
