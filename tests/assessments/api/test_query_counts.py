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
    ("cycles", _cycles, 3),  # cycles, their rater groups, the panel groups' members
    ("cases", factories.cases, 3),  # cases with team and unit, subjects with person, named raters with group and person
    # results with subject and person; their cycles, the cycles' rater groups, cases, teams, units
    ("results", factories.results, 6),
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
    # The cycle, its rater groups, its dimensions, its cases with team and unit, the results with subject and
    # person (one cursor).
    with django_assert_num_queries(OVERHEAD + 5):
        response = reader.get(f"/api/v1/cycles/{cycle.pk}/results.{extension}")
        body = b"".join(response.streaming_content)
    assert response.status_code == 200 and len(body) > 0


def test_a_page_of_results_of_several_cycles_reads_their_groups_in_one_query(reader, django_assert_num_queries):
    for preset in ("standard", "panel", "standard"):
        factories.results(2, cycle=CycleFactory(status="scored", results_version=1, groups=preset))
    reader.get("/api/v1/me/")
    with django_assert_num_queries(OVERHEAD + 6):
        response = reader.get("/api/v1/results/", {"page_size": 100})
    assert response.status_code == 200 and len(response.json()["results"]) == 6
