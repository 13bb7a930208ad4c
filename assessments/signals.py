"""Domain events of assessments, for other apps to listen to: assessments never knows who listens.

Each is sent inside the transaction that made the change, so a listener's writes (a webhook delivery,
say) commit or roll back with it: nothing is announced that did not happen, and nothing that happened
goes unannounced. Listeners write quickly and defer anything slow or external with transaction.on_commit.
"""

from django.dispatch import Signal

# A cycle's results were computed (or recomputed). Sent with `cycle`, whose results_version is the new one.
cycle_scored = Signal()

# A case is about to close, with its row locked. Sent with `case`; a receiver that must keep it open (followup:
# plans not verified, appeals open) raises InvalidTransition with the reason, which the close passes on.
case_closing = Signal()
