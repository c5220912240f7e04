#!/usr/bin/env bash
# Rebuild assets/05_plotly-mc.min.js, a plotly.js bundle with only the trace types we draw
# (1.3 MB instead of the full 4.8 MB: the browser parses it before the first paint).
# Needs Node.js and npm; run after changing the plotly version or a figure's trace type.
# The version must be the plotly.js that the installed plotly.py ships
# (python -c "import plotly.offline as o; print(o.get_plotlyjs_version())").
set -euo pipefail
cd "$(dirname "$0")"
npm install --no-audit --no-fund --no-package-lock --silent
version="$(node -p "require('plotly.js/package.json').version")"
out=../../assets/05_plotly-mc.min.js
# Settings from plotly.js's own esbuild-config.js that matter for these traces. The only CSS it
# imports is MapLibre's, for map traces we do not ship: dropped instead of inlined.
npx esbuild entry.js --bundle --minify --format=iife --global-name=Plotly --target=es2016 \
  --define:global=window --define:define.amd=false --loader:.css=empty --log-level=warning \
  --banner:js="/* plotly.js v$version, Mission Control bundle (bar, heatmap, indicator, scatter, scatterpolar, waterfall); MIT licence, Copyright Plotly, Inc. Built by tools/plotly_bundle/build.sh */" \
  --outfile="$out"
ls -l "$out"
