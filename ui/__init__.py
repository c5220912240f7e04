"""The kit every page is built from: the page unit (`Page`), one panel, plain-text tables,
number formatting, and one way to send the smallest update (`delta`, `live`)."""
