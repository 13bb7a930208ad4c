"""How figures leave the system: as JSON numbers in the API, as fixed-point strings in report data."""

from decimal import Decimal

# DRF's DecimalField sends "87.50" by default; the schema says number, and a client computes with it.
AS_JSON_NUMBER = {"coerce_to_string": False}


def fixed(value: float | Decimal | None, places: int = 2) -> str | None:
    """A figure as printed ("87.50"), or None. Report data carries strings so that what is printed is
    decided here, once, and the data hashes the same on every run."""
    if value is None:
        return None
    return f"{value:.{places}f}"
