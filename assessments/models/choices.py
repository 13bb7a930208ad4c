from django.db import models
from django.utils.translation import gettext_lazy as _


class Vote(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent (优秀)")
    COMPETENT = "competent", _("Competent (称职)")
    BASIC = "basic", _("Basically competent (基本称职)")
    INCOMPETENT = "incompetent", _("Incompetent (不称职)")


# A grade uses the same four words as the overall vote.
Grade = Vote
