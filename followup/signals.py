"""Domain events of follow-up, for other apps to listen to (integrations turns them into webhooks): followup
never knows who listens. Sent inside the transaction that made the change, as assessments' are."""

from django.dispatch import Signal

# Actions of an improvement plan were found overdue today (once per plan and day). Sent with `plan`,
# `action_ids` and `on` (the date, in the configured time zone).
plan_overdue = Signal()
