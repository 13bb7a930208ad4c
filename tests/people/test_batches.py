"""The batch upserts behind the API, where the API cannot reach: concurrent writers and callers other than the API."""

import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection, connections, transaction

from people import services
from people.models import OrgUnit, Person
from tests.people.factories import OrgUnitFactory

pytestmark = pytest.mark.django_db


def test_a_new_row_needs_the_fields_an_existing_one_may_leave_out():
    unit = OrgUnitFactory(code="C01", name="第三采油厂")
    result = services.org_units_upsert_batch(items=[{"code": "C01", "active": False}])
    unit.refresh_from_db()
    assert (result.actions, unit.name, unit.active) == (["updated"], "第三采油厂", False)
    with pytest.raises(services.ItemErrors) as refused:
        services.people_upsert_batch(items=[{"employee_number": "10001", "name": ""}])
    assert refused.value.errors == {
        0: {"name": ["This field cannot be blank."], "org_unit_code": ["This field cannot be blank."]}
    }
    assert not Person.objects.exists()


def test_a_row_written_by_someone_else_between_checks_and_writes_is_a_refusal_to_send_again(monkeypatch):
    unit = OrgUnitFactory(code="C01")
    real_save = services._save

    def beaten_to_it(model, existing, key, fields):
        if existing is None:
            model.objects.create(**key, **fields)  # another request, a moment earlier
        return real_save(model, existing, key, fields)

    monkeypatch.setattr(services, "_save", beaten_to_it)
    with pytest.raises(ValidationError, match="send this again"):
        services.people_upsert_batch(items=[{"employee_number": "10001", "name": "张三", "org_unit_code": "C01"}])
    # The batch's savepoint is gone, the surrounding transaction goes on.
    assert not Person.objects.exists() and OrgUnit.objects.get() == unit


def _move(code: str, parent_code: str, started: threading.Event, outcomes: dict, hold: bool) -> None:
    try:
        with transaction.atomic():
            services.org_units_upsert_batch(items=[{"code": code, "name": code, "parent_code": parent_code}])
            if hold:  # keep the tree locked while the other move starts
                started.set()
                threading.Event().wait(0.5)
        outcomes[code] = "moved"
    except services.ItemErrors as exc:
        outcomes[code] = exc.errors[0]["parent_code"][0]
    finally:
        started.set()
        connections.close_all()


@pytest.mark.django_db(transaction=True)
def test_two_crossing_moves_at_once_cannot_make_a_cycle():
    if connection.vendor != "postgresql":
        pytest.skip("the tree lock is PostgreSQL's; SQLite serialises writers, so there is no race to test")
    OrgUnitFactory(code="A")
    OrgUnitFactory(code="B")
    started, outcomes = threading.Event(), {}
    first = threading.Thread(target=_move, args=("A", "B", started, outcomes, True))
    first.start()
    started.wait()
    second = threading.Thread(target=_move, args=("B", "A", threading.Event(), outcomes, False))
    second.start()
    first.join()
    second.join()
    assert outcomes == {"A": "moved", "B": "The parent units form a cycle: B → A → B."}
    assert dict(OrgUnit.objects.values_list("code", "parent__code")) == {"A": "B", "B": None}
