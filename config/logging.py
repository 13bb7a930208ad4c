"""Keep ballot codes out of every log (issue 11, finding 6).

An anonymous sheet lives under /b/: its printed code may reach the server in an old slip's path (/b/<code>/), and
the sheet's own address is a slot of the browser's. Any such path, with its query string, is written as
"/b/[redacted]", and anything shaped like a code (26 base-32 characters, grouped or not) or a code hash (64 hex
digits) as "[redacted]". Three hooks apply it:

- `RedactingFilter`, on every handler in settings.LOGGING (django.request's "Not Found: /b/…", django.server's
  request lines, Celery's and the application's own records);
- `install()`, a log record factory, so that a record made by any library in a process that loaded the settings is
  redacted before any handler, ours or not, sees it;
- `GunicornLogger`, gunicorn's logger class (config/gunicorn.conf.py), for its access and error logs, in the master
  as in the workers.
"""

import logging
import re
from typing import Any

REDACTED = "[redacted]"

_PATTERNS = [
    # A /b/ path with whatever follows it (code, slot, query string), plain or percent-encoded, in a request line,
    # a referrer, a redirect or a message. /b/ alone (the code entry page) is kept.
    (re.compile(r"(?:/|%2f)b(?:/|%2f)(?=[^\s\"'<>])[^\s\"'<>]*", re.IGNORECASE), "/b/" + REDACTED),
    # A code where no path gives it away: 26 base-32 characters, or grouped by four as printed on the slip.
    (re.compile(r"(?<![A-Za-z0-9])(?:[A-Za-z2-7]{4}-?){6}[A-Za-z2-7]{2}(?![A-Za-z0-9])"), REDACTED),
    # A code's hash (SHA-256 in hex): what the database keeps of a code.
    (re.compile(r"(?<![0-9a-fA-F])[0-9a-fA-F]{64}(?![0-9a-fA-F])"), REDACTED),
]


def redact(text: str) -> str:
    for pattern, replacement in _PATTERNS:
        text = pattern.sub(replacement, text)
    return text


def redact_record(record: logging.LogRecord) -> logging.LogRecord:
    """Redact a record in place: its message with the arguments merged in, and its traceback. Records that need no
    change keep their message and arguments apart, for handlers that read them."""
    try:
        message = record.getMessage()
    except Exception:
        return record
    cleaned = redact(message)
    if cleaned != message:
        record.msg, record.args = cleaned, None
    if record.exc_info and not record.exc_text:
        record.exc_text = logging.Formatter().formatException(record.exc_info)
    if record.exc_text:
        record.exc_text = redact(record.exc_text)
    if record.stack_info:
        record.stack_info = redact(record.stack_info)
    # django.request hands the request itself to handlers (the admin mail prints its path, GET and POST).
    if getattr(record, "request", None) is not None and "/b/" in (getattr(record.request, "path", "") or ""):
        record.request = None
    return record


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        redact_record(record)
        return True


_installed = False


def install() -> None:
    """Redact every record made in this process from now on, whichever logger or handler it goes to."""
    global _installed
    if _installed:
        return
    make = logging.getLogRecordFactory()

    def factory(*args: Any, **kwargs: Any) -> logging.LogRecord:
        return redact_record(make(*args, **kwargs))

    logging.setLogRecordFactory(factory)
    _installed = True


try:
    from gunicorn.glogging import Logger as _GunicornLogger
except ImportError:  # gunicorn is a production requirement only
    _GunicornLogger = object


class GunicornLogger(_GunicornLogger):
    """Gunicorn's logger with /b/ paths, codes and code hashes redacted from the access log (request line, path,
    query string, referrer: every atom) and from the error log."""

    def setup(self, cfg: Any) -> None:
        super().setup(cfg)
        for log in (self.error_log, self.access_log):
            if not any(isinstance(f, RedactingFilter) for f in log.filters):
                log.addFilter(RedactingFilter())

    def atoms(self, resp: Any, req: Any, environ: dict, request_time: Any) -> dict:
        return {
            key: redact(value) if isinstance(value, str) else value
            for key, value in super().atoms(resp, req, environ, request_time).items()
        }
