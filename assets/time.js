/* Times in the viewer's zone (or UTC, by the header's toggle).

   The server sends every time in UTC: a render is cached and shared by every viewer of a
   process, whatever their zone (ui/live.py), and the data the page holds stays UTC, so patches,
   CSV exports and the API agree. This script only changes what is drawn:
   - <span class="mc-time" data-utc="…Z" data-unit="minute|second|date|recent" data-zone="1">
     (ui/times.py `when`): its text is written from data-utc in the zone in use; its title (UTC)
     is the server's;
   - <span class="mc-tz-name"> (ui/times.py `zone_name`): the name of the zone in use;
   - DataTable columns whose header ends with " (UTC)" (ui/format.py `utc_label`): the header
     names the zone in use and the cells ('YYYY-MM-DD HH:MM' UTC) are shown in it, with UTC on
     hover. DataTable cells cannot hold elements, and the table's data must stay UTC (its CSV
     export reads it), so the drawn text is rewritten: React writes a cell's text only when its
     value changes, and a MutationObserver converts each text React writes;
   - Plotly date axes: figures carry UTC (epoch ms or naive UTC text). Plotly has no time zone
     setting: it draws date text as written and epoch ms in the browser's zone. So Plotly.react
     and extendTraces are wrapped to write every date-axis value as wall-clock text in the zone
     in use (the zone's offset at each instant, so across a DST change too), and " UTC" in hover
     templates names the zone. The figure Dash holds is untouched: its patches and extendData
     stay UTC.
   The choice is kept in localStorage under the key of the dcc.Store "mc-tz" (pages/shell/ids.py
   TIME_ZONE) and read here before the first chart is drawn. */
(function () {
  "use strict";
  var STORE = "mc-tz";
  var UTC_MARK = " (UTC)";

  function storedMode() {
    try {
      return JSON.parse(window.localStorage.getItem(STORE)) === "utc" ? "utc" : "local";
    } catch (e) {
      return "local";
    }
  }

  var mode = storedMode();

  function local() { return mode === "local"; }

  function zoneId() {
    try { return Intl.DateTimeFormat().resolvedOptions().timeZone || "local time"; } catch (e) { return "local time"; }
  }

  function pad(n) { return (n < 10 ? "0" : "") + n; }

  /* The short name of the zone in use at instant `ms` ("GMT+5:30", "CET", "UTC"). */
  function zoneName(ms) {
    var d = new Date(ms === undefined ? Date.now() : ms);
    if (!local()) { return "UTC"; }
    try {
      var parts = new Intl.DateTimeFormat(undefined, {timeZoneName: "short"}).formatToParts(d);
      for (var i = 0; i < parts.length; i++) {
        if (parts[i].type === "timeZoneName") { return parts[i].value; }
      }
    } catch (e) { /* an old browser: the offset below */ }
    var off = -d.getTimezoneOffset();
    return "UTC" + (off < 0 ? "-" : "+") + pad(Math.floor(Math.abs(off) / 60)) + ":" + pad(Math.abs(off) % 60);
  }

  /* A UTC time as epoch ms: epoch ms, ISO text with a zone, or naive text (which is UTC). */
  function toMs(v) {
    if (typeof v === "number") { return v; }
    if (typeof v !== "string") { return NaN; }
    var s = v.trim().replace(" ", "T");
    if (/^\d{4}-\d{2}-\d{2}$/.test(s)) { s += "T00:00"; }
    if (/T\d{2}$/.test(s)) { s += ":00"; }
    if (!/(Z|[+-]\d{2}:?\d{2})$/i.test(s)) { s += "Z"; }
    return Date.parse(s);
  }

  /* `ms` as text in the zone in use, in the shape the server used for UTC (ui/format.py). */
  function shape(ms, unit) {
    var d = new Date(ms), L = local();
    var Y = L ? d.getFullYear() : d.getUTCFullYear();
    var M = pad((L ? d.getMonth() : d.getUTCMonth()) + 1);
    var D = pad(L ? d.getDate() : d.getUTCDate());
    var hm = pad(L ? d.getHours() : d.getUTCHours()) + ":" + pad(L ? d.getMinutes() : d.getUTCMinutes());
    var s = pad(L ? d.getSeconds() : d.getUTCSeconds());
    if (unit === "date") { return Y + "-" + M + "-" + D; }
    if (unit === "second") { return Y + "-" + M + "-" + D + " " + hm + ":" + s; }
    if (unit === "recent") { return M + "-" + D + " " + hm + ":" + s; }
    return Y + "-" + M + "-" + D + " " + hm;
  }

  function write(el, text) {
    if (el.textContent === text) { return; }
    var only = el.firstChild;
    // Keep React's own text node when there is one, so its later updates still land.
    if (only && only === el.lastChild && only.nodeType === 3) { only.nodeValue = text; } else { el.textContent = text; }
  }

  /* -- marked spans and zone names ---------------------------------------------------------- */
  function span(el) {
    var ms = toMs(el.getAttribute("data-utc"));
    if (isNaN(ms)) { return; }
    var text = shape(ms, el.getAttribute("data-unit") || "minute");
    write(el, el.getAttribute("data-zone") === "1" ? text + " " + zoneName(ms) : text);
  }

  /* -- DataTable time columns ----------------------------------------------------------------- */
  function header(name) {
    var text = name.textContent;
    if (text.slice(-UTC_MARK.length) === UTC_MARK) {
      name.setAttribute("data-mc-base", text.slice(0, -UTC_MARK.length));
    } else if (!name.hasAttribute("data-mc-base") || text !== name.getAttribute("data-mc-shown")) {
      name.removeAttribute("data-mc-base");  // React named the column anew: not a time column
      return;
    }
    var shown = name.getAttribute("data-mc-base") + " (" + zoneName() + ")";
    name.setAttribute("data-mc-shown", shown);
    write(name, shown);
  }

  function timeColumns(table) {
    var ids = {};
    var names = table.querySelectorAll("th[data-dash-column] .column-header-name[data-mc-base]");
    for (var i = 0; i < names.length; i++) {
      ids[names[i].closest("th").getAttribute("data-dash-column")] = true;
    }
    return ids;
  }

  /* A cell's UTC text is the last text React wrote (stamped by `handle` before anything here
     writes); a cell never seen holds React's text. */
  function cell(value) {
    if (!value.hasAttribute("data-mc-utc")) { value.setAttribute("data-mc-utc", value.textContent); }
    var utc = value.getAttribute("data-mc-utc");
    var ms = toMs(utc);
    if (!utc || isNaN(ms)) { return; }
    value.title = utc + " UTC";
    write(value, shape(ms, utc.length > 16 ? "second" : "minute"));
  }

  function table(container) {
    var heads = container.querySelectorAll("th[data-dash-column] .column-header-name");
    for (var i = 0; i < heads.length; i++) { header(heads[i]); }
    var ids = timeColumns(container);
    var cells = container.querySelectorAll("td[data-dash-column] .dash-cell-value");
    for (var j = 0; j < cells.length; j++) {
      var td = cells[j].closest("td");
      if (ids[td.getAttribute("data-dash-column")]) {
        cell(cells[j]);
      } else if (cells[j].hasAttribute("data-mc-utc")) {
        cells[j].removeAttribute("data-mc-utc");  // the column is no longer a time column
        cells[j].removeAttribute("title");
      }
    }
  }

  /* Everything under `root` (the document on a mode change; added subtrees otherwise). */
  function within(root, selector) {
    var found = Array.prototype.slice.call(root.querySelectorAll(selector));
    if (root.matches && root.matches(selector)) { found.unshift(root); }
    return found;
  }

  function refresh(root) {
    within(root, ".mc-time[data-utc]").forEach(span);
    within(root, ".mc-tz-name").forEach(function (el) { write(el, zoneName()); });
    within(root, ".dash-table-container").forEach(table);
  }

  /* -- watching what React writes ------------------------------------------------------------ */
  var observer = null;

  function add(list, item) { if (item && list.indexOf(item) < 0) { list.push(item); } }

  /* Records are React's writes (ours are taken away after each pass). First every cell React
     wrote to is stamped with its text, which is UTC; only then is anything converted, so a
     cell is never read back after this pass wrote it. */
  function handle(records) {
    var fresh = [], tables = [], spans = [], added = [];
    records.forEach(function (r) {
      var el = r.target.nodeType === 1 ? r.target : r.target.parentElement;
      if (!el) { return; }
      add(fresh, el.closest(".dash-cell-value"));
      add(tables, el.closest(".dash-table-container"));
      add(spans, el.closest(".mc-time[data-utc], .mc-tz-name"));
      r.addedNodes.forEach(function (n) {
        if (n.nodeType !== 1) { return; }
        within(n, ".dash-cell-value").forEach(function (v) { add(fresh, v); });
        add(added, n);
      });
    });
    fresh.forEach(function (v) { v.setAttribute("data-mc-utc", v.textContent); });
    tables.forEach(table);
    spans.forEach(function (el) {
      if (el.classList.contains("mc-tz-name")) { write(el, zoneName()); } else { span(el); }
    });
    added.forEach(refresh);
    observer.takeRecords();  // our own writes: nothing more to convert
  }

  function watch() {
    observer = new MutationObserver(handle);
    observer.observe(document.body, {
      subtree: true, childList: true, characterData: true, attributes: true, attributeFilter: ["data-utc"]
    });
    refresh(document);
    observer.takeRecords();
  }

  /* -- Plotly date axes ----------------------------------------------------------------------- */
  var P = window.Plotly;
  var drawn = {utc: new WeakMap(), local: new WeakMap()};  // UTC array → its text in a zone

  /* A UTC date-axis value as wall-clock text in the zone in use. Plotly draws date text as
     written, but epoch ms in the browser's zone whatever the figure says, so every value is
     written as text, in UTC mode too. */
  function wallText(v) {
    var ms = toMs(v);
    if (isNaN(ms)) { return v; }
    var d = new Date(local() ? ms - new Date(ms).getTimezoneOffset() * 60000 : ms);
    var milli = d.getUTCMilliseconds();
    return d.getUTCFullYear() + "-" + pad(d.getUTCMonth() + 1) + "-" + pad(d.getUTCDate()) + " " +
      pad(d.getUTCHours()) + ":" + pad(d.getUTCMinutes()) + ":" + pad(d.getUTCSeconds()) +
      (milli ? "." + ("00" + milli).slice(-3) : "");
  }

  function wallArray(a) {
    if (!Array.isArray(a)) { return a === undefined || a === null ? a : wallText(a); }
    var memo = drawn[mode], hit = memo.get(a);
    if (hit) { return hit; }  // unchanged arrays keep their identity, so Plotly.react skips them
    var out = a.map(wallText);
    memo.set(a, out);
    return out;
  }

  function dateAxes(layout) {
    var axes = {};
    Object.keys(layout || {}).forEach(function (k) {
      var m = /^([xy])axis(\d*)$/.exec(k);
      if (m && layout[k] && layout[k].type === "date") { axes[m[1] + m[2]] = k; }
    });
    return axes;
  }

  function relabel(template) {
    return typeof template === "string" ? template.replace(/\bUTC\b/g, zoneName()) : template;
  }

  /* The trace with its values on date axes as text in the zone in use. A bar's length along
     its value axis is a duration: only its base moves. */
  function shiftTrace(trace, axes) {
    var out = null;
    ["x", "y"].forEach(function (letter) {
      if (!axes[trace[letter + "axis"] || letter]) { return; }
      out = out || Object.assign({}, trace);
      var valueAxis = trace.type === "bar" && (trace.orientation === "h" ? "x" : "y") === letter;
      if (valueAxis) { out.base = wallArray(trace.base); } else { out[letter] = wallArray(trace[letter]); }
      out.hovertemplate = relabel(trace.hovertemplate);
    });
    return out || trace;
  }

  function shiftLayout(layout, axes) {
    var out = Object.assign({}, layout);
    Object.keys(axes).forEach(function (ref) {
      var key = axes[ref], axis = Object.assign({}, layout[key]);
      if (Array.isArray(axis.range) && axis.autorange !== true) { axis.range = axis.range.map(wallText); }
      out[key] = axis;
    });
    ["shapes", "annotations"].forEach(function (kind) {
      if (!Array.isArray(layout[kind])) { return; }
      out[kind] = layout[kind].map(function (item) {
        var copy = Object.assign({}, item);
        if (axes[item.xref]) {
          ["x", "x0", "x1"].forEach(function (k) { if (k in copy) { copy[k] = wallText(copy[k]); } });
        }
        if (axes[item.yref]) {
          ["y", "y0", "y1"].forEach(function (k) { if (k in copy) { copy[k] = wallText(copy[k]); } });
        }
        return copy;
      });
    });
    return out;
  }

  /* The figure to draw for a UTC figure: itself when it has no date axis. */
  function inZone(fig) {
    var axes = dateAxes(fig.layout);
    if (!Object.keys(axes).length) { return fig; }
    return Object.assign({}, fig, {
      data: (fig.data || []).map(function (t) { return shiftTrace(t, axes); }),
      layout: shiftLayout(fig.layout, axes)
    });
  }

  function element(gd) { return typeof gd === "string" ? document.getElementById(gd) : gd; }

  if (P && P.react) {
    var react = P.react, extendTraces = P.extendTraces;
    P.react = function (gd, data, layout, config) {
      var fig = Array.isArray(data) ? {data: data, layout: layout, config: config} : (data || {});
      var el = element(gd);
      if (el) { el._mcUtcFigure = fig; }
      return react.call(P, gd, inZone(fig));
    };
    P.extendTraces = function (gd, update, indices, maxPoints) {
      var el = element(gd), fig = el && el._mcUtcFigure;
      if (!fig) { return extendTraces.call(P, gd, update, indices, maxPoints); }
      // Keep the UTC figure extended too (a copy: the arrays Dash holds are never changed).
      var data = fig.data.slice();
      var idx = [].concat(indices);
      Object.keys(update).forEach(function (key) {
        idx.forEach(function (n, j) {
          var i = n < 0 ? data.length + n : n;
          var cap = typeof maxPoints === "number" ? maxPoints : (maxPoints && maxPoints[key]);
          cap = Array.isArray(cap) ? cap[j] : cap;
          var t = data[i] = Object.assign({}, data[i]);
          var values = (t[key] || []).concat(update[key][j]);
          t[key] = typeof cap === "number" && cap > 0 ? values.slice(-cap) : values;
        });
      });
      el._mcUtcFigure = Object.assign({}, fig, {data: data});
      var axes = dateAxes(fig.layout), drawn = update;
      if (Object.keys(axes).length) {
        drawn = Object.assign({}, update);
        ["x", "y"].forEach(function (letter) {
          if (!update[letter]) { return; }
          drawn[letter] = update[letter].map(function (values, j) {
            var i = idx[j] < 0 ? data.length + idx[j] : idx[j];
            var t = fig.data[i] || {};
            var valueAxis = t.type === "bar" && (t.orientation === "h" ? "x" : "y") === letter;
            return axes[t[letter + "axis"] || letter] && !valueAxis ? values.map(wallText) : values;
          });
        });
      }
      return extendTraces.call(P, gd, drawn, indices, maxPoints);
    };
  }

  function redrawCharts() {
    if (!P || !P.react) { return; }
    document.querySelectorAll(".js-plotly-plot").forEach(function (gd) {
      if (gd._mcUtcFigure) { P.react(gd, gd._mcUtcFigure); }
    });
  }

  /* -- the public part: the header's toggle and clock ---------------------------------------- */
  function setMode(next) {
    next = next === "utc" ? "utc" : "local";
    if (observer) { handle(observer.takeRecords()); }
    if (next === mode) { return false; }
    mode = next;
    if (observer) {
      refresh(document);
      observer.takeRecords();
    }
    redrawCharts();
    return true;
  }

  window.mcTime = {
    zoneName: zoneName,
    mode: function () { return mode; },
    /* The header clock's [text, title] for `now` in the zone in use. */
    clock: function (now) {
      var utc = now.toISOString().slice(11, 19);
      if (!local()) { return [utc + " UTC", "local " + now.toLocaleTimeString()]; }
      return [now.toLocaleTimeString([], {hour: "2-digit", minute: "2-digit", second: "2-digit"}), "UTC " + utc];
    }
  };

  window.dash_clientside = Object.assign({}, window.dash_clientside, {
    mcTime: {
      toggle: function (_clicks, stored) {
        return (stored || mode) === "utc" ? "local" : "utc";
      },
      /* The stored choice (null before the store has read localStorage: keep what this script
         read) → the toggle's label and title. */
      apply: function (stored) {
        if (stored === "utc" || stored === "local") { setMode(stored); }
        var label = local() ? zoneName() : "UTC";
        var title = local()
          ? "Times in your zone (" + zoneId() + "), UTC on hover. Click to show UTC."
          : "Times in UTC. Click to show your zone (" + zoneId() + ").";
        return [label, title];
      }
    }
  });

  if (document.body) { watch(); } else { document.addEventListener("DOMContentLoaded", watch); }
})();
