"""factory_boy factories for assessments; the people ones live in tests/people/factories.py."""

import factory

from assessments.default_framework import create_default_framework
from assessments.models import Case, Cycle, CycleRaterGroup, Dimension, Framework, Indicator
from assessments.services.groups import preset_apply
from people.models import LeadershipTeam, Person
from tests.people.factories import MembershipFactory, OrgUnitFactory, PersonFactory, TeamFactory, UserFactory


def default_framework() -> Framework:
    # Transactional tests flush the rows the data migration made; put them back when needed.
    return create_default_framework(Framework, Dimension, Indicator)


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"2026年度考评 {n}")
    year = 2026
    framework = factory.LazyFunction(default_framework)

    @factory.post_generation
    def groups(obj, create, extracted, **kwargs):
        """The rater groups of a preset (`groups="panel"`), "standard" by default; `groups__peer=50` changes a
        weight of the preset (the test then keeps the sum at 100 itself, or tests what happens when it does not)."""
        if not create:
            return
        # The database takes groups only while a cycle is a draft: a cycle made in a later state gets them as a
        # draft first, as a real one would have.
        status = obj.status
        Cycle.objects.filter(pk=obj.pk).update(status=Cycle.Status.DRAFT)
        preset_apply(cycle=obj, preset=extracted or "standard")
        for code, weight in kwargs.items():
            CycleRaterGroup.objects.filter(cycle=obj, code=code).update(weight=weight, counted=bool(weight))
        Cycle.objects.filter(pk=obj.pk).update(status=status)
        obj._groups_cache = None


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
