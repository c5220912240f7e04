// The trace types Mission Control's figure builders use (figures/*.py); scatter is always in core.
// tests/test_plotly_bundle.py fails when a builder uses a type that is not listed here.
var Plotly = require('plotly.js/lib/core');

Plotly.register([
    require('plotly.js/lib/bar'),
    require('plotly.js/lib/heatmap'),
    require('plotly.js/lib/indicator'),
    require('plotly.js/lib/scatterpolar'),
    require('plotly.js/lib/waterfall'),
]);

module.exports = Plotly;
