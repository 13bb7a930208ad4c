"""Domain events of assessments, for other apps to listen to: assessments never knows who listens.

Each is sent inside the transaction that made the change, so a listener's writes (a webhook delivery,
say) commit or roll back with it: nothing is announced that did not happen, and nothing that happened
goes unannounced. Listeners write quickly and defer anything slow or external with transaction.on_commit.
"""

from django.dispatch import Signal

# A cycle's results were computed (or recomputed). Sent with `cycle`, whose results_version is the new one.
cycle_scored = Signal()

# Actions of an improvement plan were found overdue today (once per plan and day). Sent with `plan`,
# `action_ids` and `on` (the date, in the configured time zone).
plan_overdue = Signal()
