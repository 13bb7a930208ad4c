"""factory_boy factories for the people app; tests/assessments/factories.py builds on them."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission

from people.models import LeadershipTeam, Membership, OrgUnit, Person


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"people-user{n}")
    password = factory.django.Password("pass-word-123")


class StaffFactory(UserFactory):
    """A staff member who may add and change people: what the import page asks for."""

    is_staff = True

    @factory.post_generation
    def permissions(self, create: bool, extracted: list[str] | None, **kwargs) -> None:
        codenames = ["add_person", "change_person", "view_person"] if extracted is None else extracted
        self.user_permissions.add(*Permission.objects.filter(content_type__app_label="people", codename__in=codenames))


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
    name = factory.LazyAttribute(lambda team: f"{team.org_unit.name}领导班子")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    person = factory.SubFactory(PersonFactory, org_unit=factory.SelfAttribute("..team.org_unit"))
    position = "副经理"
    start_date = dt.date(2020, 1, 1)
