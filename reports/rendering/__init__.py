"""Report PDFs: `render(kind, data)` with data from reports.report_data; the engine (Typst) stays behind it."""

from .engine import FontsMissing, Rendered, RenderError, render, warm

__all__ = ["FontsMissing", "RenderError", "Rendered", "render", "warm"]
