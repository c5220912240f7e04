"""The frame around every page (header, nav, LIVE indicator, config panel, the shared tick).
Not a page itself: `layout(ctx, pages, …)` and `register(app, ctx, pages)` take the page list."""
