/* The iframe contract (`?embed=1`): the dashboard inside Link Profiler's UI.

   Who the parent is: the page may only be framed by MC_FRAME_ANCESTORS (the browser enforces
   that through the Content-Security-Policy's frame-ancestors), and it talks only to those
   origins, never "*". The list comes with the page itself (the index's `mc-embed` meta tag,
   pages/shell/model.py embed_config), so it is known before Dash renders. The parent's origin is
   the browser's word for it: `location.ancestorOrigins[0]` (Chromium, Safari), else the origin of
   `document.referrer` (the embedding page's URL or origin under the default referrer policy),
   else the origin of the parent's first accepted message (`MessageEvent.origin`); whichever
   it is, it must be in the list.

   To the parent: {"type": "mc:height", "height": <CSS px>} whenever the content's height
   changes (a ResizeObserver on the page's root), so the iframe can be as tall as its content.

   From the parent (only from window.parent, only from an allowed origin; anything else is
   ignored with a console warning):
     {"type": "mc:page", "page": "discovery"}   a page by name ("mission" is /; others their path)
     {"type": "mc:window", "days": 7}           the time window of the page shown (each page
                                                 declares which it offers: ui.page.EmbedControl)
     {"type": "mc:domain", "domain": "example.com" | null}   the target-domain filter (one of
                                                 the control's options; null: every domain)
   A control that is not on the screen yet (the page is still arriving after "mc:page") is set
   when it appears, for up to PENDING_MS.

   State for tests: window.mcEmbed. */
(function () {
  "use strict";

  const PENDING_MS = 10000;
  const params = new URLSearchParams(window.location.search);
  if (!["1", "true"].includes((params.get("embed") || "").toLowerCase()) || window.parent === window) { return; }

  let config = null;
  try {
    config = JSON.parse(document.querySelector('meta[name="mc-embed"]').getAttribute("content"));
  } catch (e) {
    console.warn("Mission Control embed: no embed configuration in the page", e);
    return;
  }
  const allowed = (config.ancestors || []).map((a) => (a === "'self'" ? window.location.origin : a))
    .filter((a) => a !== "'none'");

  function allowedOrigin(origin) { return typeof origin === "string" && allowed.indexOf(origin) !== -1 ? origin : null; }

  function declaredParent() {
    if (window.location.ancestorOrigins && window.location.ancestorOrigins.length) {
      return allowedOrigin(window.location.ancestorOrigins[0]);
    }
    try { return document.referrer ? allowedOrigin(new URL(document.referrer).origin) : null; } catch (e) { return null; }
  }

  const embed = {parent: declaredParent(), lastHeight: null, sent: [], applied: [], ignored: [], pending: {}, deferred: 0};
  window.mcEmbed = embed;

  function ignore(why, data) {
    embed.ignored.push(why);
    if (embed.ignored.length > 50) { embed.ignored.shift(); }
    console.warn("Mission Control embed: message ignored: " + why, data);
  }

  // -- height -------------------------------------------------------------------------------
  function contentHeight() {
    const root = document.getElementById("react-entry-point");
    if (!root) { return null; }
    return Math.ceil(root.getBoundingClientRect().bottom + window.scrollY);
  }

  function reportHeight() {
    const height = contentHeight();
    if (height === null || !embed.parent || height === embed.lastHeight) { return; }
    embed.lastHeight = height;
    embed.sent.push(height);
    if (embed.sent.length > 50) { embed.sent.shift(); }
    window.parent.postMessage({type: "mc:height", height: height}, embed.parent);
  }

  function observe() {
    const root = document.getElementById("react-entry-point");
    if (root && window.ResizeObserver) { new ResizeObserver(reportHeight).observe(root); }
    reportHeight();
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", observe); } else { observe(); }

  // -- messages from the parent -------------------------------------------------------------
  function setProps(id, props) {
    window.dash_clientside.set_props(id, props);
    embed.applied.push({id: id, props: props});
  }

  // The first control of `kind` (window, domain) that the page shown has, with its id.
  function controlOnScreen(kind) {
    const controls = (config.controls || {})[kind] || {};
    const id = Object.keys(controls).find((c) => document.getElementById(c));
    return id ? {id: id, spec: controls[id]} : null;
  }

  function optionValues(id) {
    const api = window.dash_component_api;
    const layout = api && api.getLayout ? api.getLayout(id) : null;
    const options = (layout && layout.props && layout.props.options) || [];
    return options.map((o) => (o && typeof o === "object" ? o.value : o));
  }

  // Set control `kind` to the message's value `raw`; true once done or refused for good.
  function apply(kind, raw) {
    const found = controlOnScreen(kind);
    if (!found) { return false; }
    const spec = found.spec;
    let value;
    if (raw === null && spec.unset !== null) {
      value = spec.unset;
    } else if (spec.values) {
      value = Object.prototype.hasOwnProperty.call(spec.values, String(raw)) ? spec.values[String(raw)] : undefined;
    } else {
      value = optionValues(found.id).indexOf(raw) !== -1 ? raw : undefined;
    }
    if (value === undefined) {
      ignore(kind + " " + JSON.stringify(raw) + " is not offered on this page", raw);
    } else {
      setProps(found.id, {value: value});
    }
    return true;
  }

  let waiting = null;
  function settlePending() {
    Object.keys(embed.pending).forEach(function (kind) {
      const p = embed.pending[kind];
      if (apply(kind, p.value)) { delete embed.pending[kind]; } else if (Date.now() > p.until) {
        delete embed.pending[kind];
        ignore("no " + kind + " control on this page", p.value);
      }
    });
    if (!Object.keys(embed.pending).length && waiting) { waiting.disconnect(); waiting = null; }
  }

  function request(kind, value) {
    if (apply(kind, value)) { delete embed.pending[kind]; return; }
    embed.pending[kind] = {value: value, until: Date.now() + PENDING_MS};
    embed.deferred += 1;
    // A MutationObserver only wakes on changes: each request's deadline is checked by a timer too.
    setTimeout(settlePending, PENDING_MS + 100);
    if (!waiting) {
      waiting = new MutationObserver(settlePending);
      waiting.observe(document.getElementById("react-entry-point") || document.body, {childList: true, subtree: true});
    }
  }

  const DOMAIN = /^[a-z0-9.-]{1,253}$/i;
  const handlers = {
    "mc:page": function (m) {
      const path = typeof m.page === "string" && Object.prototype.hasOwnProperty.call(config.pages, m.page) ? config.pages[m.page] : null;
      if (path === null) { ignore("unknown page " + JSON.stringify(m.page), m); return; }
      if (path !== window.location.pathname) { setProps("mc-url", {pathname: path}); }
    },
    "mc:window": function (m) {
      if (!Number.isInteger(m.days) || m.days < 1 || m.days > 3660) { ignore("days must be a whole number of days", m); return; }
      request("window", m.days);
    },
    "mc:domain": function (m) {
      if (m.domain !== null && !(typeof m.domain === "string" && DOMAIN.test(m.domain))) { ignore("domain must be a host name or null", m); return; }
      request("domain", m.domain === null ? null : m.domain.toLowerCase());
    },
  };

  window.addEventListener("message", function (e) {
    const m = e.data;
    // Not one of ours (libraries post to their own window too): not a word about it.
    if (!m || typeof m !== "object" || typeof m.type !== "string" || !m.type.startsWith("mc:")) { return; }
    if (e.source !== window.parent) { ignore("a message from another window than the embedding page", null); return; }
    const origin = allowedOrigin(e.origin);
    if (!origin || (embed.parent && origin !== embed.parent)) { ignore("origin " + e.origin + " is not the embedding page", null); return; }
    const handle = handlers[m.type];
    if (!handle) { ignore("unknown message type " + JSON.stringify(m.type).slice(0, 60), null); return; }
    if (!embed.parent) { embed.parent = origin; reportHeight(); }
    if (!window.dash_clientside || !window.dash_clientside.set_props) { ignore("the page is not ready", m); return; }
    handle(m);
  });
})();
