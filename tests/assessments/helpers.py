"""Build open cases and fill sheets through the services, as evaluators would."""

from collections.abc import Callable

from assessments.models import Assignment, BallotCode, CaseSubject
from assessments.services import ballot_submit, case_create, cycle_close, cycle_open, draft_save, sheet_for
from assessments.services.codes import code_resolve
from tests.assessments.factories import CycleFactory, PersonFactory, team_with_members


def open_case(members: int = 2, superiors: int = 1, codes: int = 0, **cycle_settings):
    """An open cycle with one case. Returns (cycle, case, members, superiors, plain codes)."""
    cycle = CycleFactory(**cycle_settings)
    team, people = team_with_members(members)
    bosses = [PersonFactory() for _ in range(superiors)]
    case = case_create(cycle=cycle, team=team, superiors=bosses, anonymous_ballots=codes)
    issued = cycle_open(cycle=cycle)
    cycle.refresh_from_db()
    case.refresh_from_db()
    return cycle, case, people, bosses, issued[case.pk]


def assignment_of(case, person) -> Assignment:
    return Assignment.objects.get(case=case, rater=person)


def values_for(mapping: dict) -> Callable:
    """mapping: person (or "team") → score for every indicator of that section, or a function of the indicator."""

    def pick(subject: CaseSubject, indicator) -> int:
        key = "team" if subject.kind == CaseSubject.Kind.TEAM else subject.person
        value = mapping[key]
        return value(indicator) if callable(value) else value

    return pick


def fill(
    *,
    assignment: Assignment | None = None,
    code: BallotCode | str | None = None,
    scores: dict,
    votes: dict | None = None,
    comments: dict | None = None,
    submit: bool = True,
):
    """Fill a whole sheet: `scores` maps person/"team" → one value for all its indicators."""
    if isinstance(code, str):
        code = code_resolve(code=code)
    sheet = sheet_for(assignment=assignment, code=code)
    pick = values_for(scores)
    votes = votes or {}
    comments = comments or {}
    sections = {}
    for section in sheet.sections:
        key = "team" if section.subject.kind == CaseSubject.Kind.TEAM else section.subject.person
        sections[str(section.subject.pk)] = {
            "scores": {str(i.pk): pick(section.subject, i) for i in sheet.indicators},
            "vote": votes.get(key, "competent"),
            "comment": comments.get(key, ""),
        }
    draft_save(assignment=assignment, code=code, changes={"sections": sections})
    if submit:
        return ballot_submit(assignment=assignment, code=code)
    return None


def close(cycle):
    cycle_close(cycle=cycle)
    cycle.refresh_from_db()
    return cycle


def login_as(client, person):
    """Give the person a login and use it."""
    from tests.assessments.factories import UserFactory

    if person.user_id is None:
        person.user = UserFactory()
        person.save()
    client.force_login(person.user)
    return person.user


def released_case(release: bool = True):
    """Four members rate each other and four subordinates rate all (every group meets k = 3), scored and,
    unless told otherwise, released. Returns (cycle, case, members); the first member is the principal."""
    from assessments.services import cycle_release, cycle_score

    cycle, case, people, _, codes = open_case(members=4, superiors=0, codes=4, min_group_size=3)
    a, b, c, d = people
    for p in people:
        fill(assignment=assignment_of(case, p), scores={a: 9, b: 7, c: 8, d: 6, "team": 8})
    for i, code in enumerate(codes):
        fill(code=code, scores={a: 8 + i % 2, b: 6, c: 7, d: 5, "team": 7}, comments={a: f"意见{i}"})
    cycle_score(cycle=close(cycle))
    if release:
        cycle_release(cycle=cycle)
    cycle.refresh_from_db()
    case.refresh_from_db()
    return cycle, case, people


def open_code(client, code: str) -> str:
    """Exchange a printed code as the /b/ page does (its script posts the code from the QR link's '#' part) and
    return the sheet's URL, which carries no code."""
    from django.urls import reverse

    response = client.post(reverse("assessments:code_entry"), {"code": code})
    assert response.status_code == 303, response.status_code
    return response["Location"]
