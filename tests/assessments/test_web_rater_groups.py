"""HR changes a draft cycle's rater groups with no code change: on the desk's groups page (a formset saved as a
whole by services.rater_groups_set) and in the admin (an inline checked as a whole). Weights that do not add up
to 100, unknown panel members and changes to an open cycle are refused with a message and change nothing."""

from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.urls import reverse

from assessments.models import BallotCode, Case, CaseRater, Cycle, CycleRaterGroup, TimelineEvent
from assessments.services import case_create, cycle_open, rater_groups_set
from tests.assessments.factories import CycleFactory, PersonFactory, UserFactory, team_with_members
from tests.assessments.helpers import open_case

pytestmark = pytest.mark.django_db


class PostForm(HTMLParser):
    """The fields of the page's form with this id, as a browser would send them (textareas with their text)."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.data: dict[str, list[str]] = {}
        self._in_form = False
        self._select: str | None = None
        self._first: str | None = None
        self._multiple = False
        self._textarea: str | None = None

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = {k: v if v is not None else "" for k, v in attrs}
        if tag == "form":
            self._in_form = a.get("id") == self.form_id
        if not self._in_form:
            return
        name = a.get("name")
        if tag == "input" and name:
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio"):
                if "checked" in a:
                    self.data.setdefault(name, []).append(a.get("value", "on"))
            elif kind not in ("submit", "button"):
                self.data.setdefault(name, []).append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]
        elif tag == "select" and name:
            self._select = name
            self._first = None
            self._multiple = "multiple" in a
            self.data.setdefault(name, [])
        elif tag == "option" and self._select:
            if self._first is None:
                self._first = a.get("value", "")
            if "selected" in a:
                self.data[self._select].append(a.get("value", ""))

    def handle_data(self, data: str) -> None:
        if self._textarea:
            self.data[self._textarea][0] += data

    def handle_endtag(self, tag: str) -> None:
        if tag == "textarea":
            self._textarea = None
        elif tag == "select" and self._select:
            # With no option selected, a browser sends the first (multiple selects send none).
            if not self.data[self._select] and self._first is not None and not self._multiple:
                self.data[self._select].append(self._first)
            self._select = None
        elif tag == "form":
            self._in_form = False


def form_of(response, form_id: str = "groups-form") -> dict:
    assert response.status_code == 200
    parser = PostForm(form_id)
    parser.feed(response.content.decode())
    assert parser.data, f"no form #{form_id}"
    return {k: v if len(v) != 1 else v[0] for k, v in parser.data.items()}


def groups_url(cycle: Cycle) -> str:
    return reverse("assessments:hr_cycle_groups", args=[cycle.pk])


def row_of(data: dict, code: str) -> str:
    """The formset prefix of the row holding the group `code`."""
    return next(k[: -len("-code")] for k, v in data.items() if k.endswith("-code") and v == code)


def stored(cycle: Cycle) -> list[tuple]:
    return list(
        CycleRaterGroup.objects.filter(cycle=cycle)
        .order_by("order", "id")
        .values_list("code", "name_zh", "source", "weight", "counted", "min_size")
    )


# --- The desk's groups page ---------------------------------------------------------------------------


def test_hr_adds_a_group_to_a_draft_cycle_and_it_is_stored(client, hr):
    cycle = CycleFactory()
    desk = client.get(reverse("assessments:hr_cycle", args=[cycle.pk])).content.decode()
    assert groups_url(cycle) in desk and "Superiors" in desk and "weight 30%" in desk
    data = form_of(client.get(groups_url(cycle)))
    data[f"{row_of(data, 'subordinate')}-weight"] = "30"
    new = "groups-4"  # the first blank row, after the four of the standard preset
    data.update(
        {
            f"{new}-code": "client",
            f"{new}-name_zh": "服务对象",
            f"{new}-name_en": "Service users",
            f"{new}-source": "codes",
            f"{new}-weight": "10",
            f"{new}-counted": "on",
        }
    )

    response = client.post(groups_url(cycle), data)

    assert response.status_code == 302 and response["Location"] == reverse("assessments:hr_cycle", args=[cycle.pk])
    cycle = Cycle.objects.get(pk=cycle.pk)
    assert [g.code for g in cycle.groups] == ["superior", "peer", "subordinate", "self", "client"]
    assert cycle.weights == {"superior": 30, "peer": 30, "subordinate": 30, "client": 10}
    client_group = cycle.groups[-1]
    assert (client_group.name_zh, client_group.source, client_group.order) == ("服务对象", "codes", 5)
    assert TimelineEvent.objects.filter(cycle=cycle, action="updated", data__fields=["rater_groups"]).exists()
    # The desk lists the new group, and teams get its codes.
    team_with_members(2)
    desk = client.get(reverse("assessments:hr_cycle", args=[cycle.pk])).content.decode()
    assert "Service users" in desk and 'name="codes_client"' in desk


def test_weights_that_add_up_to_99_are_refused_with_the_message_and_nothing_changes(client, hr):
    cycle = CycleFactory()
    before = stored(cycle)
    data = form_of(client.get(groups_url(cycle)))
    data[f"{row_of(data, 'peer')}-weight"] = "29"

    response = client.post(groups_url(cycle), data)

    assert response.status_code == 400
    assert "must add up to 100% (now 99%)" in response.content.decode()
    assert stored(cycle) == before
    assert not TimelineEvent.objects.filter(cycle=cycle, action="updated").exists()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"code": "Peer"}, "Use lower-case letters"),
        ({"code": "superior"}, "Each rater group needs its own code."),
        ({"code": "self"}, "kept for the self-evaluation"),
        ({"counted": None, "weight": "30"}, "does not count in the total weighs 0"),
        ({"source": "members2"}, "Select a valid choice"),
        ({"weight": "abc"}, "Enter a number"),
        ({"name_zh": ""}, "This field is required"),
    ],
)
def test_a_bad_row_is_explained_and_nothing_changes(client, hr, change, message):
    cycle = CycleFactory()
    before = stored(cycle)
    data = form_of(client.get(groups_url(cycle)))
    row = row_of(data, "peer")
    for field, value in change.items():
        if value is None:
            data.pop(f"{row}-{field}", None)
        else:
            data[f"{row}-{field}"] = value

    response = client.post(groups_url(cycle), data)

    assert response.status_code == 400
    assert message in response.content.decode()
    assert stored(cycle) == before


def test_hr_removes_a_group_and_moves_its_weight(client, hr):
    cycle = CycleFactory()
    data = form_of(client.get(groups_url(cycle)))
    data[f"{row_of(data, 'peer')}-DELETE"] = "on"
    data[f"{row_of(data, 'subordinate')}-weight"] = "70"

    assert client.post(groups_url(cycle), data).status_code == 302

    assert Cycle.objects.get(pk=cycle.pk).weights == {"superior": 30, "subordinate": 70}


def test_two_groups_trade_codes_and_kinds_without_a_server_error(client, hr):
    cycle = CycleFactory()
    data = form_of(client.get(groups_url(cycle)))
    superior, peer = row_of(data, "superior"), row_of(data, "peer")
    data[f"{superior}-code"], data[f"{peer}-code"] = "peer", "superior"
    assert client.post(groups_url(cycle), data).status_code == 302
    assert [(g.code, g.source) for g in Cycle.objects.get(pk=cycle.pk).groups][:2] == [
        ("peer", "named"),
        ("superior", "members"),
    ]

    before = stored(cycle)
    data = form_of(client.get(groups_url(cycle)))
    data[f"{row_of(data, 'peer')}-source"], data[f"{row_of(data, 'superior')}-source"] = "members", "named"
    response = client.post(groups_url(cycle), data)
    # Saved, or refused as a whole with the reason: never a server error, never half of it.
    assert response.status_code in (302, 400)
    if response.status_code == 400:
        assert "Save them in two steps." in response.content.decode() and stored(cycle) == before
    else:
        assert [(g.code, g.source) for g in Cycle.objects.get(pk=cycle.pk).groups][:2] == [
            ("peer", "members"),
            ("superior", "named"),
        ]


def test_an_open_cycles_groups_are_shown_and_cannot_be_changed(client, hr):
    cycle, *_ = open_case()
    before = stored(cycle)
    page = client.get(groups_url(cycle)).content.decode()
    assert "Subordinates / employee representatives" in page and "fixed once the cycle opens" in page
    assert 'name="groups-0-weight"' not in page
    desk = client.get(reverse("assessments:hr_cycle", args=[cycle.pk])).content.decode()
    assert "The rater groups in detail" in desk

    response = client.post(
        groups_url(cycle),
        {
            "groups-TOTAL_FORMS": "1",
            "groups-INITIAL_FORMS": "0",
            "groups-0-code": "peer",
            "groups-0-name_zh": "同级",
            "groups-0-source": "members",
            "groups-0-weight": "100",
            "groups-0-counted": "on",
        },
    )

    assert response.status_code == 409
    assert "The rater groups are fixed once the cycle opens." in response.content.decode()
    assert stored(cycle) == before


def test_a_panels_members_are_set_by_employee_number_and_unknown_numbers_are_refused(client, hr):
    cycle = CycleFactory(groups="panel")
    panel = CycleRaterGroup.objects.get(cycle=cycle, code="panel")
    a, b = PersonFactory(), PersonFactory()
    data = form_of(client.get(groups_url(cycle)))
    row = row_of(data, "panel")
    # Only the panel's row has a box for members.
    assert f"{row}-panel" in data and data[f"{row_of(data, 'leader')}-panel"] == ""

    data[f"{row}-panel"] = f"{a.employee_number}，NOBODY1\nNOBODY2"
    response = client.post(groups_url(cycle), data)
    assert response.status_code == 400
    assert "No active person has these employee numbers: NOBODY1, NOBODY2" in response.content.decode()
    assert not panel.panel.exists()

    data[f"{row}-panel"] = f"{a.employee_number}，{b.employee_number}\n"
    assert client.post(groups_url(cycle), data).status_code == 302
    assert set(panel.panel.all()) == {a, b}
    assert TimelineEvent.objects.filter(cycle=cycle, data__fields=["panel"], data__group="panel").exists()
    page = client.get(groups_url(cycle)).content.decode()
    assert a.employee_number in page and b.employee_number in page

    # At opening each panel member rates every team.
    team, _ = team_with_members(2)
    case = case_create(cycle=cycle, team=team)
    cycle_open(cycle=cycle)
    assert set(case.assignments.filter(rater_group="panel").values_list("rater", flat=True)) == {a.pk, b.pk}


def test_members_for_a_group_that_is_no_panel_are_refused(client, hr):
    cycle = CycleFactory()
    person = PersonFactory()
    data = form_of(client.get(groups_url(cycle)))
    data[f"{row_of(data, 'superior')}-panel"] = person.employee_number
    response = client.post(groups_url(cycle), data)
    assert response.status_code == 400 and "Only a panel group has panel members." in response.content.decode()


@pytest.mark.parametrize("who", ["stranger", "anonymous"])
def test_others_cannot_see_or_change_the_groups(client, who):
    cycle = CycleFactory()
    before = stored(cycle)
    if who == "stranger":
        client.force_login(UserFactory())
    get = client.get(groups_url(cycle))
    post = client.post(groups_url(cycle), {"groups-TOTAL_FORMS": "0", "groups-INITIAL_FORMS": "0"})
    if who == "stranger":
        assert get.status_code == 404 and post.status_code == 404
    else:
        assert get.status_code == 302 and get["Location"].startswith(reverse("login"))
        assert post.status_code == 302
    assert stored(cycle) == before


# --- Teams and codes per group --------------------------------------------------------------------------


def test_the_add_teams_form_takes_named_raters_and_codes_per_group(client, hr):
    cycle = CycleFactory(groups="panel")
    rater_groups_set(
        cycle=cycle,
        groups=[
            *[{"id": g.pk, "weight": Decimal(30) if g.code == "staff" else g.weight} for g in cycle.groups],
            {"code": "client", "name_zh": "服务对象", "source": "codes", "weight": Decimal(10), "order": 9},
            {"code": "deputy", "name_zh": "副职领导", "source": "named", "weight": 0, "counted": False, "order": 10},
        ],
    )
    cycle = Cycle.objects.get(pk=cycle.pk)
    team, _ = team_with_members(2)
    leader, deputy = PersonFactory(), PersonFactory()
    page = client.get(reverse("assessments:hr_cycle", args=[cycle.pk])).content.decode()
    for name in ("raters_leader", "raters_deputy", "codes_staff", "codes_client"):
        assert f'name="{name}"' in page
    assert 'name="superiors"' not in page and 'name="anonymous_ballots"' not in page

    response = client.post(
        reverse("assessments:hr_cycle_teams", args=[cycle.pk]),
        {
            "teams": [team.pk],
            "raters_leader": leader.employee_number,
            "raters_deputy": deputy.employee_number,
            "codes_staff": 8,
            "codes_client": 3,
        },
    )

    assert response.status_code == 302
    case = Case.objects.get(cycle=cycle)
    assert case.code_counts == {"staff": 8, "client": 3}
    assert {(r.group.code, r.person) for r in CaseRater.objects.filter(case=case)} == {
        ("leader", leader),
        ("deputy", deputy),
    }
    page = client.get(reverse("assessments:hr_case", args=[case.pk])).content.decode()
    assert leader.name in page and "Leaders in charge" in page and "副职领导" in page


def test_one_person_in_two_groups_of_a_team_is_refused_and_no_team_is_added(client, hr):
    cycle = CycleFactory(groups="panel")
    rater_groups_set(
        cycle=cycle,
        groups=[
            *[{"id": g.pk} for g in cycle.groups],
            {"code": "deputy", "name_zh": "副职领导", "source": "named", "weight": 0, "counted": False, "order": 10},
        ],
    )
    team, _ = team_with_members(2)
    person = PersonFactory()
    response = client.post(
        reverse("assessments:hr_cycle_teams", args=[cycle.pk]),
        {"teams": [team.pk], "raters_leader": person.employee_number, "raters_deputy": person.employee_number},
    )
    assert response.status_code == 400
    assert "A person rates a team in one group only" in response.content.decode()
    assert not Case.objects.filter(cycle=cycle).exists()


def test_more_codes_go_to_the_anonymous_group_chosen(client, hr):
    cycle = CycleFactory()
    rater_groups_set(
        cycle=cycle,
        groups=[
            *[{"id": g.pk, "weight": Decimal(30) if g.code == "subordinate" else g.weight} for g in cycle.groups],
            {"code": "client", "name_zh": "服务对象", "source": "codes", "weight": Decimal(10), "order": 9},
        ],
    )
    team, _ = team_with_members(2)
    case = case_create(cycle=cycle, team=team, codes={"subordinate": 2, "client": 1})
    cycle_open(cycle=cycle)
    page = client.get(reverse("assessments:hr_case", args=[case.pk])).content.decode()
    assert 'name="rater_group"' in page and "服务对象" in page

    response = client.post(
        reverse("assessments:hr_case_codes", args=[case.pk]), {"action": "add", "count": 2, "rater_group": "client"}
    )

    assert response.status_code == 200
    assert BallotCode.objects.filter(case=case, rater_group="client").count() == 3
    assert BallotCode.objects.filter(case=case, rater_group="subordinate").count() == 2
    case.refresh_from_db()
    assert case.code_counts == {"subordinate": 2, "client": 3}

    response = client.post(
        reverse("assessments:hr_case_codes", args=[case.pk]),
        {"action": "add", "count": 2, "rater_group": "peer"},
        follow=True,
    )
    assert "Select a valid choice" in response.content.decode()
    assert BallotCode.objects.filter(case=case).count() == 5


# --- The admin --------------------------------------------------------------------------------------------


def admin_change(cycle: Cycle) -> str:
    return reverse("admin:assessments_cycle_change", args=[cycle.pk])


def test_the_admin_inline_refuses_weights_that_do_not_add_up_to_100(admin_client):
    cycle = CycleFactory()
    before = stored(cycle)
    data = form_of(admin_client.get(admin_change(cycle)), "cycle_form")
    row = row_of(data, "peer")
    assert row.startswith("rater_groups-")
    data[f"{row}-weight"] = "25"

    response = admin_client.post(admin_change(cycle), data)

    assert response.status_code == 200
    assert "must add up to 100% (now 95%)" in response.content.decode()
    assert stored(cycle) == before

    data[f"{row}-weight"] = "20"
    data[f"{row_of(data, 'subordinate')}-weight"] = "50"
    response = admin_client.post(admin_change(cycle), data)
    assert response.status_code == 302
    assert Cycle.objects.get(pk=cycle.pk).weights == {"superior": 30, "peer": 20, "subordinate": 50}


def test_the_admin_saves_groups_that_trade_codes_and_kinds(admin_client):
    cycle = CycleFactory()
    data = form_of(admin_client.get(admin_change(cycle)), "cycle_form")
    superior, peer = row_of(data, "superior"), row_of(data, "peer")
    data[f"{superior}-code"], data[f"{peer}-code"] = "peer", "superior"
    data[f"{superior}-source"], data[f"{peer}-source"] = "members", "named"
    data[f"{row_of(data, 'self')}-DELETE"] = "on"
    new = f"rater_groups-{data['rater_groups-TOTAL_FORMS']}"
    data["rater_groups-TOTAL_FORMS"] = str(int(data["rater_groups-TOTAL_FORMS"]) + 1)
    data.update(
        {
            f"{new}-code": "self",
            f"{new}-name_zh": "自我评价",
            f"{new}-source": "self",
            f"{new}-weight": "0",
            f"{new}-order": "9",
        }
    )

    response = admin_client.post(admin_change(cycle), data)

    assert response.status_code == 302
    groups = Cycle.objects.get(pk=cycle.pk).groups
    assert [(g.code, g.source) for g in groups] == [
        ("peer", "members"),
        ("superior", "named"),
        ("subordinate", "codes"),
        ("self", "self"),
    ]
    assert groups[-1].name_zh == "自我评价"


def test_the_admin_keeps_an_open_cycles_groups_read_only(admin_client):
    cycle, case, *_ = open_case()
    page = admin_client.get(admin_change(cycle)).content.decode()
    assert "Subordinates / employee representatives" in page
    assert 'name="rater_groups-0-weight"' not in page
    page = admin_client.get(reverse("admin:assessments_case_change", args=[case.pk])).content.decode()
    assert 'name="named_raters-0-person"' not in page and "named_raters-TOTAL_FORMS" in page


def test_a_cycle_added_in_the_admin_gets_the_standard_groups(admin_client):
    from tests.assessments.factories import default_framework

    data = form_of(admin_client.get(reverse("admin:assessments_cycle_add")), "cycle_form")
    data.update({"name": "2027年度考评", "year": "2027", "framework": str(default_framework().pk)})
    response = admin_client.post(reverse("admin:assessments_cycle_add"), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    cycle = Cycle.objects.get(name="2027年度考评")
    assert cycle.weights == {"superior": 30, "peer": 30, "subordinate": 40}


def test_the_admin_names_a_cases_raters_while_the_cycle_is_a_draft(admin_client):
    cycle = CycleFactory()
    team, _ = team_with_members(2)
    case = case_create(cycle=cycle, team=team)
    boss = PersonFactory()
    url = reverse("admin:assessments_case_change", args=[case.pk])
    data = form_of(admin_client.get(url), "case_form")
    superior = CycleRaterGroup.objects.get(cycle=cycle, code="superior")
    peer = CycleRaterGroup.objects.get(cycle=cycle, code="peer")
    data.update(
        {"named_raters-TOTAL_FORMS": "1", "named_raters-0-group": str(peer.pk), "named_raters-0-person": str(boss.pk)}
    )
    response = admin_client.post(url, data)
    assert response.status_code == 200 and "Select a valid choice" in response.content.decode()
    assert not CaseRater.objects.exists()

    data["named_raters-0-group"] = str(superior.pk)
    assert admin_client.post(url, data).status_code == 302
    assert [(r.group, r.person) for r in CaseRater.objects.filter(case=case)] == [(superior, boss)]


def test_the_slips_shown_at_opening_say_which_anonymous_group_each_is_for(client, hr):
    cycle = CycleFactory()
    rows = [{"id": g.pk, "weight": 30 if g.code == "subordinate" else g.weight} for g in cycle.groups]
    rows.append({"code": "clients", "name_zh": "服务对象", "name_en": "Clients", "source": "codes", "weight": 10})
    rater_groups_set(cycle=cycle, groups=rows)
    team, _ = team_with_members(2)
    case_create(cycle=cycle, team=team, codes={"subordinate": 3, "clients": 2})

    response = client.post(reverse("assessments:hr_cycle_transition", args=[cycle.pk]), {"action": "open"})

    page = response.content.decode()
    assert response.status_code == 200
    # The slips are printed in Chinese whatever the desk's language.
    assert page.count("测评主体: 服务对象") == 2 and page.count("测评主体: 下级（职工代表）") == 3
    assert BallotCode.objects.filter(case__cycle=cycle, rater_group="clients").count() == 2
