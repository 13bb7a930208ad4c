"""What the report tests share."""

import hashlib

from reports.rendering import Rendered, RenderError


class FakeRender:
    """Stands in for Typst where the PDF's content is not the point: counts its calls, returns distinct bytes
    per input so that a changed input shows as a changed file."""

    def __init__(self, fail: int = 0):
        self.calls = 0
        self.fail = fail

    def __call__(self, kind: str, data: dict) -> Rendered:
        self.calls += 1
        if self.calls <= self.fail:
            raise RenderError("unknown variable: oops")
        digest = hashlib.sha256(repr(sorted(data.items())).encode()).hexdigest()
        return Rendered(pdf=b"%PDF-1.7\n" + digest.encode() + b"\n%%EOF", pages=2)
