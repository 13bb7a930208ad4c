from django.db import models
from django.utils.translation import gettext_lazy as _


class RaterGroup(models.TextChoices):
    SUPERIOR = "superior", _("Superiors")
    PEER = "peer", _("Peers")
    SUBORDINATE = "subordinate", _("Subordinates / employee representatives")
    SELF = "self", _("Self")


# Groups whose means count in the weighted total; self is shown beside it.
WEIGHTED_GROUPS = (RaterGroup.SUPERIOR, RaterGroup.PEER, RaterGroup.SUBORDINATE)
# The order every page, export, API row and report lists groups in: the weighted ones, then self.
DISPLAY_GROUPS = (*WEIGHTED_GROUPS, RaterGroup.SELF)


class Vote(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    COMPETENT = "competent", _("Competent (称职)")
    BASIC = "basic", _("Basically competent (基本称职)")
    INCOMPETENT = "incompetent", _("Incompetent (不称职)")


# A grade uses the same four words as the overall vote.
Grade = Vote
