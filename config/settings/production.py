"""Production: every secret and host comes from the environment, with no default."""

from .base import *  # noqa: F403
from .base import DATABASES, STORAGES, env

DEBUG = False
SECRET_KEY = env.str("SECRET_KEY")
ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS")

SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"
# Django reads the connection lifetime from the database entry only, never from a top-level setting: without
# this every request opened a new PostgreSQL connection (measured by bench/ballots.py: 5× the bare view's rps).
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True

# Reports and evidence files in object storage (S3 or any S3-compatible store) when a bucket is named, so
# that every web process and worker, on any host, reads the same files; local disk (MEDIA_ROOT) otherwise.
KAOPING_S3_BUCKET = env.str("KAOPING_S3_BUCKET", default="")
if KAOPING_S3_BUCKET:
    STORAGES = {
        **STORAGES,
        "default": {
            "BACKEND": "storages.backends.s3.S3Storage",
            "OPTIONS": {
                "bucket_name": KAOPING_S3_BUCKET,
                "endpoint_url": env.str("KAOPING_S3_ENDPOINT_URL", default="") or None,
                "region_name": env.str("KAOPING_S3_REGION", default="") or None,
                "default_acl": None,
                "querystring_auth": True,
                "file_overwrite": False,
            },
        },
    }
