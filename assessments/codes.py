"""A ballot code as text: how it is normalised, hashed, printed and put in a QR code. One place for all of it, so
that the code issued, the code typed, the code printed on a slip and the code looked up are always the same."""

import base64
import hashlib
import secrets
from dataclasses import dataclass

import segno
from django.urls import reverse

CODE_BYTES = 16  # 128 bits: guessing one live code is hopeless even without throttling.


def new_code() -> str:
    return base64.b32encode(secrets.token_bytes(CODE_BYTES)).decode().rstrip("=")


def normalise(code: str) -> str:
    """The code as issued, from what a person typed: case, dashes and spaces do not matter."""
    return "".join(ch for ch in (code or "").upper() if ch.isalnum())


def code_hash(code: str) -> str:
    """What the database keeps of a code: the SHA-256 of its normalised form."""
    return hashlib.sha256(normalise(code).encode()).hexdigest()


def grouped(code: str) -> str:
    """The code as printed: groups of four, easy to read out and to type."""
    code = normalise(code)
    return "-".join(code[i : i + 4] for i in range(0, len(code), 4))


def code_link_path(code: str) -> str:
    """The path a slip's QR code leads to. The code travels after '#': browsers never send that part, so no server,
    proxy or access log on the way sees it; the page's script posts it and clears it from the address bar."""
    return f"{reverse('assessments:code_entry')}#{normalise(code)}"


@dataclass(frozen=True)
class Slip:
    code: str  # grouped for print
    url: str
    qr_svg: str  # an inline SVG drawn from our own URL only: nothing in it to escape


def slip(code: str, *, base_url: str, scale: int = 3, title: str | None = None) -> Slip:
    """Everything a printed slip shows for one code: the web page's and the PDF's slips both come from here."""
    url = base_url.rstrip("/") + code_link_path(code)
    qr = segno.make(url, error="m").svg_inline(scale=scale, border=2, **({"title": title} if title else {}))
    return Slip(code=grouped(code), url=url, qr_svg=qr)
