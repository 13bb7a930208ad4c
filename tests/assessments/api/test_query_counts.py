"""Every list endpoint, and each export, costs as many queries for 50 rows as for 5."""

import pytest

from tests.assessments.api import factories
from tests.assessments.factories import CycleFactory

pytestmark = pytest.mark.django_db

# The request's own: savepoint and release (ATOMIC_REQUESTS), the key, the owner's two permission reads.
OVERHEAD = 5


def _cycles(n: int) -> None:
    for _ in range(n):
        CycleFactory()


LISTS = [
    # (endpoint, rows made by, queries of its own)
    ("frameworks", factories.frameworks, 3),  # frameworks, dimensions, indicators
    ("cycles", _cycles, 1),
    ("cases", factories.cases, 2),  # cases with team and unit, subjects with person
    ("results", factories.results, 5),  # results with subject and person; their cycles, cases, teams, units
]


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize(("endpoint", "make", "own"), LISTS, ids=[row[0] for row in LISTS])
def test_a_list_costs_the_same_queries_for_5_and_50_rows(reader, django_assert_num_queries, endpoint, make, own, rows):
    make(rows)
    reader.get("/api/v1/me/")  # the key's first use of the minute writes last_used_at; not this request's cost
    with django_assert_num_queries(OVERHEAD + own):
        response = reader.get(f"/api/v1/{endpoint}/", {"page_size": 100})
    assert response.status_code == 200 and len(response.json()["results"]) >= rows


@pytest.mark.parametrize("rows", [5, 50])
@pytest.mark.parametrize("extension", ["csv", "xlsx"])
def test_an_export_costs_the_same_queries_for_5_and_50_subjects(reader, django_assert_num_queries, extension, rows):
    cycle = factories.results(rows)[0].cycle
    reader.get("/api/v1/me/")
    # The cycle, its dimensions, its cases with team and unit, the results with subject and person (one cursor).
    with django_assert_num_queries(OVERHEAD + 4):
        response = reader.get(f"/api/v1/cycles/{cycle.pk}/results.{extension}")
        body = b"".join(response.streaming_content)
    assert response.status_code == 200 and len(body) > 0
