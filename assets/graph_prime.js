/* Graphs plot as the page mounts, not a round later.

   dcc.Graph is a React.lazy component: the first time React renders one, it suspends (its
   code is a separate chunk, async-graph.js), commits an empty placeholder, and only when the
   chunk has loaded does a second render mount the real graph and call Plotly. On the main
   screen that second round came 200–300 ms after the page's panels were on screen (measured
   with in-page marks: placeholders at ~300–420 ms, the first Plotly.react at ~500–750 ms).

   ui/page_load.py puts the chunk on the page as a script after dcc's bundle, and this file
   right after it (not among the assets Dash loads before dcc: app.py's assets_ignore). Rendering
   one Graph into a detached root here, before the renderer has even asked for the layout, makes
   the lazy component resolve from the chunk already registered, within this script's microtasks;
   every Graph in the layout then mounts directly and plots in the first render. The detached
   root is unmounted at once, so nothing is plotted there. If dcc ever stops being renderable on
   its own, the catch leaves graphs loading exactly as before. */
(function () {
  'use strict';

  function prime() {
    const dcc = window.dash_core_components;
    const React = window.React;
    const ReactDOM = window.ReactDOM;
    if (!dcc || !dcc.Graph || !React || !ReactDOM || !ReactDOM.createRoot || !ReactDOM.flushSync) {
      return;
    }
    try {
      const root = ReactDOM.createRoot(document.createElement('div'));
      ReactDOM.flushSync(function () {
        root.render(React.createElement(dcc.Graph, {id: 'mc-graph-prime'}));
      });
      root.unmount();
    } catch (err) {
      // Not fatal: graphs then load the way dcc does by itself.
    }
  }

  prime();
})();
