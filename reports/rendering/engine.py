"""PDF rendering with Typst: one warm compiler per process, templates fed JSON data, never markup.

The engine sits behind `render(kind, data)` so it could be swapped. Typst is pinned (typst==0.15.2):
its syntax still moves between 0.x releases, and the templates are written against this one."""

import io
import json
import os
import re
import threading
from dataclasses import dataclass
from pathlib import Path

import pypdf
import typst

TEMPLATES = Path(__file__).resolve().parent / "templates"
KINDS = frozenset({"member", "team", "cycle", "slips"})

# Body text, then headings. Debian's fonts-noto-cjk; the templates take them from here, through sys.inputs.
FONT_FAMILIES: tuple[str, ...] = ("Noto Sans CJK SC", "Noto Serif CJK SC")
# Where the fonts are looked for: the system's folders, and any listed in KAOPING_FONT_DIRS (os.pathsep between).
SYSTEM_FONTS = True
FONT_DIRS: tuple[str, ...] = tuple(d for d in os.environ.get("KAOPING_FONT_DIRS", "").split(os.pathsep) if d)

# Typst writes a single, uncompressed page tree: reading its count is ~1000 times cheaper than parsing the PDF.
_PAGE_COUNT = re.compile(rb"/Type\s*/Pages\s*/Count\s+(\d+)")


class RenderError(Exception):
    """A report could not be rendered; the message is Typst's, with where in the template it failed."""


class FontsMissing(RenderError):
    """The CJK fonts are not installed: a PDF would show empty boxes where the Chinese should be."""


@dataclass(frozen=True)
class Rendered:
    pdf: bytes
    pages: int


class _Engine:
    def __init__(self) -> None:
        fonts = typst.Fonts(include_system_fonts=SYSTEM_FONTS, include_embedded_fonts=True, font_paths=list(FONT_DIRS))
        self.families = frozenset(fonts.families())
        # Scanning the system's fonts takes ~150 ms: the scan is handed over so the compiler does not repeat it.
        self.compiler = typst.Compiler(root=str(TEMPLATES), font_paths=fonts, ignore_system_fonts=not SYSTEM_FONTS)
        # A compiler is not known to be thread-safe, and a warm one is only worth having if it is shared.
        self.lock = threading.Lock()


_engine: _Engine | None = None
_engine_lock = threading.Lock()


def _get_engine() -> _Engine:
    global _engine
    if _engine is None:
        with _engine_lock:
            if _engine is None:
                _engine = _Engine()
    return _engine


def _missing(engine: _Engine) -> list[str]:
    # Checked on every call against the constant, not once: the constant is what the templates are given.
    return [family for family in FONT_FAMILIES if family not in engine.families]


def _engine_with_fonts() -> _Engine:
    """This process's compiler, once it has the fonts. A worker started before `apt-get install fonts-noto-cjk`
    looks again (a new scan, ~150 ms) before it gives up, so installing the fonts needs no restart."""
    global _engine
    engine = _get_engine()
    if _missing(engine):
        with _engine_lock:
            if _engine is engine:
                _engine = _Engine()
            engine = _engine
    missing = _missing(engine)
    if missing:
        raise FontsMissing(
            f"Fonts missing for the PDF reports: {', '.join(missing)}. "
            "Install them (Debian/Ubuntu: apt-get install fonts-noto-cjk); the worker finds them without a restart."
        )
    return engine


def warm() -> None:
    """Create this process's compiler and check the fonts; idempotent. Called when a worker process starts,
    so the first report does not pay for the font scan and the first compile (~250 ms together)."""
    engine = _engine_with_fonts()
    with engine.lock:
        try:
            engine.compiler.compile(input=b'#set text(lang: "zh")\n', sys_inputs={})
        except typst.TypstError as error:  # pragma: no cover - a broken Typst installation
            raise RenderError(_message(error)) from error


def render(kind: str, data: dict) -> Rendered:
    """The PDF of a report. `kind` names the template (member, team, cycle); `data` is what the selector built."""
    if kind not in KINDS:
        raise ValueError(f"Unknown report kind {kind!r}; expected one of {sorted(KINDS)}.")
    engine = _engine_with_fonts()
    inputs = {"data": json.dumps(data, ensure_ascii=False), "fonts": json.dumps(FONT_FAMILIES)}
    with engine.lock:
        try:
            # typst 0.15.2 honours a compiler's own input only on its first compile(): pass it on every call.
            pdf = engine.compiler.compile(input=str(TEMPLATES / f"{kind}.typ"), sys_inputs=inputs)
        except typst.TypstError as error:
            raise RenderError(_message(error)) from error
        except RuntimeError as error:  # the bindings' own failures (a template file not found …)
            raise RenderError(f"{kind}.typ: {error}") from error
    return Rendered(pdf=pdf, pages=page_count(pdf))


def page_count(pdf: bytes) -> int:
    match = _PAGE_COUNT.search(pdf)
    if match:
        return int(match.group(1))
    # A future Typst may compress the page tree: then ask a real parser.
    return len(pypdf.PdfReader(io.BytesIO(pdf)).pages)


def _message(error: typst.TypstError) -> str:
    parts = [error.message]
    if error.diagnostic:
        parts.append(error.diagnostic.rstrip())
    parts.extend(f"hint: {hint}" for hint in error.hints)
    return "\n".join(parts)
