/* Phones: swipe left for the next page, right for the previous one (issue 12).
   It walks the bottom tab bar (#mc-tabbar): a swipe clicks the neighbour of the active tab, so
   the move is the same client-side navigation as a tap, and the page order is the nav's.
   A swipe counts only while the tab bar is shown (phones, not kiosk or embed), when it is
   mostly horizontal (|dx| > 60 px and > 2 |dy|), quick (< 600 ms), and when it did not start on
   something that pans by itself (a graph, a table, a form control or a scrolled box). */
(function () {
  let start = null;
  const pans = ".js-plotly-plot, .dash-table-container, table, input, select, textarea, .Select, .dash-dropdown";

  function scrollsSideways(el) {
    for (; el && el !== document.body; el = el.parentElement) {
      if (el.scrollWidth > el.clientWidth + 1 && getComputedStyle(el).overflowX !== "hidden") { return true; }
    }
    return false;
  }

  document.addEventListener("touchstart", function (e) {
    const bar = document.getElementById("mc-tabbar");
    const t = e.touches[0];
    start = null;
    if (e.touches.length !== 1 || !bar || !bar.offsetParent) { return; }
    if (e.target.closest(pans) || scrollsSideways(e.target)) { return; }
    start = {x: t.clientX, y: t.clientY, at: Date.now()};
  }, {passive: true});

  document.addEventListener("touchend", function (e) {
    if (!start) { return; }
    const t = e.changedTouches[0];
    const dx = t.clientX - start.x, dy = t.clientY - start.y, quick = Date.now() - start.at < 600;
    start = null;
    if (!quick || Math.abs(dx) < 60 || Math.abs(dx) < 2 * Math.abs(dy)) { return; }
    const tabs = Array.from(document.querySelectorAll("#mc-tabbar a"));
    const here = tabs.findIndex(function (a) { return a.classList.contains("active"); });
    const next = tabs[here + (dx < 0 ? 1 : -1)];
    if (here >= 0 && next) { next.click(); }
  }, {passive: true});
})();
