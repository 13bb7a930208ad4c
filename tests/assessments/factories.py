"""factory_boy factories for assessments; the people ones live in tests/people/factories.py."""

import factory

from assessments.default_framework import create_default_framework
from assessments.models import Case, Cycle, Dimension, Framework, Indicator
from people.models import LeadershipTeam, Person
from tests.people.factories import MembershipFactory, OrgUnitFactory, PersonFactory, TeamFactory, UserFactory


def default_framework() -> Framework:
    # Transactional tests flush the rows the data migration made; put them back when needed.
    return create_default_framework(Framework, Dimension, Indicator)


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle

    name = factory.Sequence(lambda n: f"2026年度考评 {n}")
    year = 2026
    framework = factory.LazyFunction(default_framework)


class CaseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Case

    cycle = factory.SubFactory(CycleFactory)
    team = factory.SubFactory(TeamFactory)


def team_with_members(n: int, *, principal: bool = True) -> tuple[LeadershipTeam, list[Person]]:
    team = TeamFactory()
    people = []
    for i in range(n):
        m = MembershipFactory(team=team, is_principal=principal and i == 0, position="经理" if i == 0 else "副经理")
        people.append(m.person)
    return team, people


__all__ = [
    "CaseFactory",
    "CycleFactory",
    "MembershipFactory",
    "OrgUnitFactory",
    "PersonFactory",
    "TeamFactory",
    "UserFactory",
    "default_framework",
    "team_with_members",
]
