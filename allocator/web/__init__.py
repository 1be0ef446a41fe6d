"""The planning workspace in the browser: ``allocator serve`` (docs/web.md, WEB.md)."""
