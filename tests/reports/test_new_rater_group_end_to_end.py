"""Issue 12's promise: a rater group is added to a draft cycle with no code change, and it is then everywhere a
group is. HR adds 服务对象 (anonymous codes, weight 10) on the desk's groups page; the cycle opens, its raters rate,
it is scored and released; the desk's turnout, the leader's results page, the API, the CSV export and the member
PDF all show the new group, and the total weighs it."""

import csv
import io
from decimal import Decimal

import pypdf
import pytest
from django.urls import reverse

from assessments.models import Cycle, SubjectResult
from assessments.services import cycle_open, cycle_release, cycle_score
from assessments.services.codes import code_resolve
from reports import rendering
from reports.report_data import member_report_data
from tests.assessments.factories import CycleFactory, PersonFactory, team_with_members
from tests.assessments.helpers import assignment_of, close, fill, login_as
from tests.assessments.test_web_rater_groups import form_of, row_of
from tests.integrations.factories import api_client
from tests.reports.factories import subject_of

pytestmark = pytest.mark.django_db


def test_a_group_added_on_the_desk_is_rated_scored_and_shown_everywhere(client, hr):
    cycle = CycleFactory(min_group_size=3)
    groups_url = reverse("assessments:hr_cycle_groups", args=[cycle.pk])
    data = form_of(client.get(groups_url))
    data[f"{row_of(data, 'subordinate')}-weight"] = "30"
    data.update(
        {
            "groups-4-code": "client",
            "groups-4-name_zh": "服务对象",
            "groups-4-name_en": "Service users",
            "groups-4-source": "codes",
            "groups-4-weight": "10",
            "groups-4-counted": "on",
        }
    )
    assert client.post(groups_url, data).status_code == 302

    team, members = team_with_members(4)
    bosses = [PersonFactory() for _ in range(3)]
    response = client.post(
        reverse("assessments:hr_cycle_teams", args=[cycle.pk]),
        {
            "teams": [team.pk],
            "raters_superior": " ".join(b.employee_number for b in bosses),
            "codes_subordinate": "3",
            "codes_client": "3",
        },
    )
    assert response.status_code in (200, 302), response.content.decode()[:2000]
    case = Cycle.objects.get(pk=cycle.pk).cases.get()
    assert case.code_counts == {"subordinate": 3, "client": 3}

    codes = cycle_open(cycle=cycle)[case.pk]
    a, b, c, d = members
    for person in [*members, *bosses]:
        fill(assignment=assignment_of(case, person), scores={a: 8, b: 7, c: 7, d: 6, "team": 8})
    for code in codes:
        # The service users rate the first member far lower than everyone else does.
        low = code_resolve(code=code).rater_group == "client"
        fill(code=code, scores={a: 3 if low else 8, b: 7, c: 7, d: 6, "team": 7})
    cycle = close(cycle)
    desk = client.get(reverse("assessments:hr_cycle", args=[cycle.pk])).content.decode()
    assert "Service users" in desk and "3/3" in desk
    cycle_score(cycle=cycle)
    cycle_release(cycle=cycle)

    # The total weighs the new group: 30 × 80 + 30 × 80 + 30 × 80 + 10 × 30 = 75.00 (each group's mean in percent).
    result = SubjectResult.objects.get(subject__person=a)
    assert result.groups["client"]["n"] == 3 and result.groups["client"]["counted"]
    assert result.weights_used["client"] == 10
    assert result.total == Decimal("75.00")

    # The leader's results page.
    login_as(client, a)
    page = client.get(reverse("followup:my_results")).content.decode()
    assert "Service users" in page and "75.00" in page

    # The API and the export.
    reader = api_client("cycles:read", "results:read")
    rows = reader.get(f"/api/v1/results/?cycle={cycle.pk}").json()["results"]
    mine = next(r for r in rows if r["person"] and r["person"]["employee_number"] == a.employee_number)
    client_row = next(g for g in mine["groups"] if g["group"] == "client")
    assert client_row["n"] == 3 and client_row["score"] == 30.0
    exported = reader.get(f"/api/v1/cycles/{cycle.pk}/results.csv")
    text = b"".join(exported.streaming_content).decode("utf-8-sig")
    header, *body = list(csv.reader(io.StringIO(text)))
    column = header.index("Rater group")
    assert {"Superiors", "Peers", "Service users"} <= {row[column] for row in body}

    # The member's PDF names the group (in Chinese, as HR named it) with its figures.
    rendered = rendering.render("member", member_report_data(subject=subject_of(case, a)))
    pdf_text = "\n".join(p.extract_text() for p in pypdf.PdfReader(io.BytesIO(rendered.pdf)).pages)
    assert "服务对象" in pdf_text and "30.00" in pdf_text
