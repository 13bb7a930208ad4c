"""Settings for bench/ballots.py: the production settings, untouched, plus one bench-only URL.

Nothing here relaxes production: HTTPS redirect, secure cookies, HSTS and CSRF stay as they are. The
benchmark's client plays the part of the TLS proxy the README asks for: every request carries
`X-Forwarded-Proto: https` (production's SECURE_PROXY_SSL_HEADER) and every POST an https Referer, so
the app sees what it sees behind the proxy, over plain HTTP on loopback.
"""

from config.settings.production import *  # noqa: F403

ROOT_URLCONF = "ballots_urls"
