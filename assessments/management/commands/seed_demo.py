from django.core.management.base import BaseCommand
from django.utils.translation import gettext_lazy as _

from assessments.demo import seed_demo


class Command(BaseCommand):
    help = _(
        "Build a fictional oil-production plant with leadership teams, demo logins, last year's released "
        "cycle and this year's open one. Does nothing if the demo plant is already there."
    )

    def handle(self, *args, **options) -> None:
        seed_demo(stdout=self.stdout)
