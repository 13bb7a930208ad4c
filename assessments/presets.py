"""Rater-group presets a new cycle starts from. HR may change any group of a draft cycle afterwards."""

from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class GroupSpec:
    code: str
    name_zh: str
    name_en: str
    source: str
    weight: Decimal
    counted: bool = True
    min_size: int | None = None


SELF_GROUP = GroupSpec("self", "自评", "Self", "self", Decimal(0), counted=False)

PRESETS: dict[str, tuple[GroupSpec, ...]] = {
    # What every cycle had before groups were rows: superiors 30, the team's members 30, subordinates 40.
    "standard": (
        GroupSpec("superior", "上级", "Superiors", "named", Decimal(30)),
        GroupSpec("peer", "同级", "Peers", "members", Decimal(30)),
        GroupSpec("subordinate", "下级（职工代表）", "Subordinates / employee representatives", "codes", Decimal(40)),
        SELF_GROUP,
    ),
    # Many organisation departments weigh an assessment panel heavily and leave peers out of the total.
    "panel": (
        GroupSpec("leader", "分管领导", "Leaders in charge", "named", Decimal(20)),
        GroupSpec("panel", "考核组", "Assessment panel", "panel", Decimal(40)),
        GroupSpec("staff", "职工代表", "Employee representatives", "codes", Decimal(40)),
        SELF_GROUP,
    ),
}

PRESET_CHOICES = [
    ("standard", _("Superiors 30 · peers 30 · subordinates 40 (self beside)")),
    ("panel", _("Leaders in charge 20 · assessment panel 40 · employee representatives 40 (self beside)")),
]
