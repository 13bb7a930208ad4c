"""factory_boy factories shared by the test suite."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model

from assessments.default_framework import create_default_framework
from assessments.models import Case, Cycle, Dimension, Framework, Indicator
from people.models import LeadershipTeam, Membership, OrgUnit, Person


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}")
    password = factory.django.Password("pass-word-123")


class OrgUnitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = OrgUnit

    code = factory.Sequence(lambda n: f"U{n:04d}")
    name = factory.Sequence(lambda n: f"第{n}作业区")
    kind = OrgUnit.Kind.WORKSHOP


class PersonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Person

    employee_number = factory.Sequence(lambda n: f"E{n:06d}")
    name = factory.Sequence(lambda n: f"张{n}")
    org_unit = factory.SubFactory(OrgUnitFactory)


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LeadershipTeam

    org_unit = factory.SubFactory(OrgUnitFactory)
    name = factory.LazyAttribute(lambda t: f"{t.org_unit.name}领导班子")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    person = factory.SubFactory(PersonFactory, org_unit=factory.SelfAttribute("..team.org_unit"))
    position = "副经理"
    start_date = dt.date(2020, 1, 1)


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
