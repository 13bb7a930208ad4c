from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from assessments.demo import seed_demo
from followup.demo import last_cycle_follow_up


class Command(BaseCommand):
    help = _(
        "Build a fictional oil-production plant with leadership teams, demo logins, last year's released "
        "cycle and this year's open one. Does nothing if the demo plant is already there."
    )

    def handle(self, *args, **options) -> None:
        # Here, in followup, because the demo's last cycle has talks and plans: assessments builds the plant
        # and its cycles, and calls back for them.
        seed_demo(stdout=self.stdout, after_last_cycle=last_cycle_follow_up)
