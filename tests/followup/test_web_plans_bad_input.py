"""Bad input of every kind on the plan, appeal and case pages gets a clear answer (4xx or a redirect with a
message) and changes nothing: never a 500, never a half-written row."""

import pytest
from django.urls import reverse

from assessments.models import TimelineEvent
from followup.models import Action, Evidence, FeedbackTalk, ImprovementPlan, ProgressUpdate
from followup.services import feedback_respond
from tests.followup.plan_helpers import case_with_weak_leader, hr_user, plan_to, subject_of, user_of

pytestmark = pytest.mark.django_db

NASTY = [
    {},
    {"action": "submit", "title": "x" * 5000, "due_on": "2026-02-30", "indicator": "abc", "progress": "1e9"},
    {"action": ["approve", "return"], "reason": "\x00", "note": "y" * 100_000},
    {"goal": "\x00" * 3, "title": "", "due_on": "", "progress": "-1", "indicator": "999999999999999999999"},
    {"action": "verify", "decision": "nonsense", "review": "maybe", "outcome": "", "held_on": "yesterday"},
    {"progress": "50", "note": "进展", "files": "not a file"},
]


def counts() -> tuple:
    return (
        ImprovementPlan.objects.count(),
        Action.objects.count(),
        ProgressUpdate.objects.count(),
        Evidence.objects.count(),
        TimelineEvent.objects.count(),
        list(ImprovementPlan.objects.values_list("status", flat=True)),
        list(FeedbackTalk.objects.values_list("appeal_status", "appeal_outcome")),
    )


@pytest.mark.parametrize("who", ["leader", "hr", "peer"])
def test_garbage_posts_answer_without_an_error_and_change_nothing(client, who):
    _, case, (a, b, *_) = case_with_weak_leader()
    hr = hr_user()
    draft = plan_to("draft", case, a, hr)
    under_way = plan_to("approved", case, b, hr)
    feedback_respond(subject=subject_of(case, a), response="appeal", text="不服", actor=user_of(a))
    peer = case.subjects.order_by("order")[2].person
    client.force_login({"leader": user_of(a), "hr": hr, "peer": user_of(peer)}[who])
    action = draft.actions.first()
    urls = [
        reverse("followup:plan_draft", args=[subject_of(case, a).pk]),
        reverse("followup:plan_edit", args=[draft.pk]),
        reverse("followup:plan_transition", args=[draft.pk]),
        reverse("followup:plan_action_add", args=[draft.pk]),
        reverse("followup:plan_action", args=[draft.pk, action.pk]),
        reverse("followup:plan_action", args=[draft.pk, 999999]),
        reverse("followup:plan_progress", args=[under_way.pk, under_way.actions.first().pk]),
        reverse("followup:plan_progress", args=[draft.pk, action.pk]),
        reverse("followup:hr_plan_transition", args=[draft.pk]),
        reverse("followup:hr_appeal", args=[subject_of(case, a).pk]),
        reverse("assessments:hr_case_transition", args=[case.pk]),
        reverse("followup:hr_feedback_talk", args=[subject_of(case, b).pk]),
        reverse("followup:team_feedback_talk", args=[subject_of(case, b).pk]),
    ]
    before = counts()
    for url in urls:
        for data in NASTY:
            response = client.post(url, data)
            assert response.status_code < 500, (url, data, response.status_code)
    # A "submit"/"verify" among the garbage may be a legitimate request for someone allowed to make it; the
    # draft may then be submitted by its leader — nothing else may change.
    after = counts()
    if who != "leader":
        assert after == before
    else:
        assert after[1:4] == before[1:4]
    for url in [
        reverse("followup:plan", args=[draft.pk]) + "?page=abc",
        reverse("followup:hr_plans", args=[case.cycle.pk]) + "?status=nope&overdue=maybe&org_unit=x&page=-3",
        reverse("followup:plan_evidence", args=[987654]),
    ]:
        assert client.get(url).status_code < 500, url
