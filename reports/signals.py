"""Domain events of reports, for other apps to listen to (webhooks): sent inside the transaction that
finished the job, so nothing is announced that did not happen."""

from django.dispatch import Signal

# A report (or a bulk run's ZIP) is ready to download. Sent with `job`.
report_ready = Signal()
