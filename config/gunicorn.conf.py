"""Gunicorn's settings for production: `gunicorn -c config/gunicorn.conf.py config.wsgi`.

Its access log writes every /b/ address (an old slip's code, a sheet's slot, their query strings) as
"/b/[redacted]", and neither log holds a ballot code or a code hash (config/logging.py). Options given on the
command line override these.
"""

import os

bind = os.environ.get("GUNICORN_BIND", "0.0.0.0:8000")
workers = int(os.environ.get("GUNICORN_WORKERS", "4"))
# An access log, to standard output unless told otherwise: written through the redacting logger below.
accesslog = os.environ.get("GUNICORN_ACCESS_LOG", "-")
errorlog = os.environ.get("GUNICORN_ERROR_LOG", "-")
logger_class = "config.logging.GunicornLogger"
# The client's address as the proxy in front saw it, in the access log's first field.
access_log_format = '%({x-forwarded-for}i)s %(h)s %(t)s "%(r)s" %(s)s %(b)s "%(f)s" "%(a)s" %(M)sms'
capture_output = True  # Django's own log lines (the application's errors) go to the error log too, redacted
