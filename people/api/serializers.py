"""Rows of the organisation as the API shows and takes them: other rows by natural key, `id` and
`updated_at` read-only. Checks against other rows (unknown codes, cycles, open seats) are the services'."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import StrictBooleanField, StrictCharField, StrictEmailField

from .. import services
from ..models import LeadershipTeam, Membership, OrgUnit, Person

# Items in one batch; a sync of a whole group company sends several.
BATCH_MAX = 1000


# The people API's names for the strict fields every API shares.
Text, Email, Boolean = StrictCharField, StrictEmailField, StrictBooleanField


def _key_of(model: type[models.Model], field: str, **kwargs) -> serializers.CharField:
    """Another row, named by its natural key."""
    return Text(max_length=model._meta.get_field(field).max_length, **kwargs)


class _Row(serializers.ModelSerializer):
    serializer_field_mapping = serializers.ModelSerializer.serializer_field_mapping | {
        models.CharField: Text,
        models.EmailField: Email,
        models.BooleanField: Boolean,
    }

    # An update names its row by id. It may repeat the row's natural key but not change it: a syncing
    # client knows the row by that key, and a changed key would look like a new row beside a vanished one.
    key_fields: tuple[str, ...] = ()

    def validate(self, attrs: dict) -> dict:
        if self.instance is not None:
            changed = [
                name for name in self.key_fields if name in attrs and attrs[name] != getattr(self.instance, name)
            ]
            if changed:
                raise serializers.ValidationError(
                    {name: [_("This is a key and cannot be changed.")] for name in changed}
                )
        return attrs


class OrgUnitSerializer(_Row):
    """An org unit, by `code`; `parent_code` is null for a root."""

    key_fields = ("code",)
    parent_code = _key_of(OrgUnit, "code", allow_null=True, required=False)

    class Meta:
        model = OrgUnit
        fields = ["id", "code", "name", "kind", "parent_code", "active", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        # A batch updates by code; a new code is checked by the service, in the same query as the rest.
        extra_kwargs = {"code": {"validators": []}}


class PersonSerializer(_Row):
    """A person, by `employee_number`, in the unit `org_unit_code`; `active: false` once they have left."""

    key_fields = ("employee_number",)
    org_unit_code = _key_of(OrgUnit, "code")

    class Meta:
        model = Person
        fields = [
            "id",
            "employee_number",
            "name",
            "gender",
            "org_unit_code",
            "title",
            "party",
            "email",
            "active",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]
        extra_kwargs = {"employee_number": {"validators": []}}


class TeamSerializer(_Row):
    """A unit's leadership team, by the unit's code `org_unit_code`."""

    key_fields = ("org_unit_code",)
    org_unit_code = _key_of(OrgUnit, "code")

    class Meta:
        model = LeadershipTeam
        fields = ["id", "org_unit_code", "name", "active", "updated_at"]
        read_only_fields = ["id", "updated_at"]


class MembershipSerializer(_Row):
    """A seat on a team, by (`team_code`, `employee_number`, `start_date`); open while `end_date` is null."""

    key_fields = ("team_code", "employee_number", "start_date")
    team_code = _key_of(OrgUnit, "code")
    employee_number = _key_of(Person, "employee_number")

    class Meta:
        model = Membership
        fields = [
            "id",
            "team_code",
            "employee_number",
            "position",
            "is_principal",
            "start_date",
            "end_date",
            "updated_at",
        ]
        read_only_fields = ["id", "updated_at"]
        validators = []  # The natural key's uniqueness and the one-open-seat rule are the service's.


class BatchItemSerializer(serializers.Serializer):
    """One item of a batch: its row's id, and whether the row was created, updated or left unchanged."""

    id = serializers.IntegerField()
    action = serializers.ChoiceField(choices=[services.CREATED, services.UPDATED, services.UNCHANGED])


class BatchResultSerializer(serializers.Serializer):
    """What a batch did: counts, and each item's row and action in the order sent."""

    created = serializers.IntegerField()
    updated = serializers.IntegerField()
    unchanged = serializers.IntegerField()
    items = BatchItemSerializer(many=True)


class BatchErrorSerializer(serializers.Serializer):
    code = serializers.CharField(help_text="What went wrong, for programs: `required`, `invalid`, `max_length` …")
    detail = serializers.CharField(help_text="What went wrong, for people, in the request's language.")
    attr = serializers.RegexField(
        r"^([0-9]+|([0-9]+\.)?[a-z_]+)$",
        allow_null=True,
        help_text="`<item index>.<field>`; `<item index>.non_field_errors` for an item as a whole, or the index "
        "alone for an item that is null; `non_field_errors` for the batch (not a list, too long); null for a body "
        "that is not JSON.",
    )


class BatchErrorResponseSerializer(serializers.Serializer):
    """A refused batch: nothing was written. Every problem of every item is listed, by item index."""

    type = serializers.CharField(help_text="`validation_error`, or `client_error` for a body that is not JSON.")
    errors = BatchErrorSerializer(many=True)
