/* Arranged panels (ui/arrange.py): restore, save and reset a page's grid in the browser.

   One callback per page grid, all of it here: inputs are the grid's layout (a drag or resize
   ends), the reset button and the store; outputs the grid's layout, the store, and whether the
   grid moves at all. The store's content is untrusted (any script or an old version could have
   written it): only known panel ids with whole, bounded numbers are taken from it. */
(function () {
  const VERSION = 1;
  const COLUMNS = 12;
  const ROW_PX = 10;
  const ready = {};

  // Desktop screens arrange; the wall (kiosk), laptops, tablets and phones keep fixed layouts.
  function arranging() {
    const kiosk = new URLSearchParams(location.search).get('kiosk');
    const root = document.getElementById('mc-root');
    if ((kiosk && kiosk !== '0' && kiosk !== 'false') || (root && root.classList.contains('kiosk'))) return false;
    return window.matchMedia('(min-width: 1200px)').matches;
  }

  function whole(v, lo, hi) {
    return Number.isInteger(v) && v >= lo && v <= hi;
  }

  // {i, x, y, w, h} of the default's panels, sizes and places taken from `saved` where valid.
  function merge(fallback, saved) {
    const byId = {};
    if (saved && saved.v === VERSION && Array.isArray(saved.layout)) {
      for (const c of saved.layout) {
        if (c && typeof c.i === 'string') byId[c.i] = c;
      }
    }
    return fallback.map(d => {
      const c = byId[d.i];
      if (!c || !whole(c.w, d.minW || 1, COLUMNS) || !whole(c.x, 0, COLUMNS - c.w) ||
          !whole(c.h, d.minH || 1, 400) || !whole(c.y, 0, 10000)) return Object.assign({}, d);
      return Object.assign({}, d, {x: c.x, y: c.y, w: c.w, h: c.h});
    });
  }

  function plain(layout) {
    return (layout || []).map(c => ({i: String(c.i), x: c.x, y: c.y, w: c.w, h: c.h}));
  }

  function same(a, b) {
    return JSON.stringify(plain(a).sort((p, q) => p.i < q.i ? -1 : 1)) ===
           JSON.stringify(plain(b).sort((p, q) => p.i < q.i ? -1 : 1));
  }

  function rowPx() {
    return window.matchMedia('(min-width: 2500px)').matches ? Math.round(ROW_PX * 1.6) : ROW_PX;
  }

  // Plotly graphs listen to the window's resize; a panel resized by hand is not one.
  function nudgeGraphs() {
    window.requestAnimationFrame(() => window.dispatchEvent(new Event('resize')));
  }

  function sync(gridId, fallback, layout, saved) {
    const nu = window.dash_clientside.no_update;
    const ctx = window.dash_clientside.callback_context;
    const fired = (ctx.triggered || []).map(t => t.prop_id);
    const on = arranging();
    const mode = [on, on, rowPx()];
    if (fired.some(p => p.endsWith('.n_clicks'))) {
      nudgeGraphs();
      return [merge(fallback, null), null, ...mode];
    }
    if (!ready[gridId] || !fired.some(p => p === gridId + '.layout')) {
      // First call (page shown) or the store changed: show the saved arrangement.
      ready[gridId] = true;
      if (!on) return [merge(fallback, null), nu, ...mode];
      const restored = merge(fallback, saved);
      if (same(restored, layout)) return [nu, nu, ...mode];
      // Only a restored arrangement resizes panels: a resize event makes Plotly redraw every
      // graph, which on a first fill doubled the graphs' drawing for nothing.
      nudgeGraphs();
      return [restored, nu, ...mode];
    }
    // The grid changed: a drag or a resize ended (or the grid compacted itself). Keep it.
    if (!on) return [nu, nu, nu, nu, nu];
    nudgeGraphs();
    const kept = merge(fallback, {v: VERSION, layout: layout});
    if (same(kept, fallback)) return [nu, null, nu, nu, nu];
    if (saved && same(merge(fallback, saved), kept)) return [nu, nu, nu, nu, nu];
    return [nu, {v: VERSION, layout: plain(kept)}, nu, nu, nu];
  }

  window.mcArrange = {sync: sync};
})();
