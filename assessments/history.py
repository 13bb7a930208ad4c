"""Reads of the change history (django-simple-history) as lines a person reads: who, when, what changed from what
to what; and the case file's record, the timeline's events and those changes merged, oldest first. Later layers
(followup: talks, plans, actions) read their own models' history with `history_entries` and hand their entries to
`case_record`. Ballots and scores have no history at all, so nothing here can point at a rater."""

import datetime as dt
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import Case, Cycle, TimelineEvent
from .selectors import timeline_for_case

# Bookkeeping, not a change anyone made.
SKIPPED = {"id", "created_at", "updated_at", "token", "overdue_notified_on", "order", "anonymous_mixed"}
# What a newly created row is recognised by.
ON_CREATE = {
    Case: ("status",),
    Cycle: ("status",),
}
KINDS = {"+": _("created"), "~": _("changed"), "-": _("deleted")}


@dataclass
class Change:
    field: str
    old: str
    new: str


@dataclass
class HistoryEntry:
    when: dt.datetime
    who: object  # the user, or None for the system
    what: str
    kind: str
    changes: list[Change] = field(default_factory=list)
    source: str = "history"

    @property
    def who_name(self) -> str:
        return self.who.get_username() if self.who else ""


class _Values:
    """Turns stored values into what a reader understands: choice labels, names for foreign keys, dates."""

    def __init__(self) -> None:
        self._related: dict[tuple[type, object], str] = {}

    def show(self, model_field: models.Field, value) -> str:
        if value in (None, ""):
            return "—"
        if model_field.choices:
            return str(dict(model_field.flatchoices).get(value, value))
        if isinstance(model_field, models.ForeignKey):
            key = (model_field.related_model, value)
            if key not in self._related:
                obj = model_field.related_model._default_manager.filter(pk=value).first()
                self._related[key] = (
                    (obj.get_username() if hasattr(obj, "get_username") else str(obj)) if obj else f"#{value}"
                )
            return self._related[key]
        if isinstance(value, dt.datetime):
            # Stored in UTC; shown in the site's zone (Asia/Shanghai), like every other time on the page.
            return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
        if isinstance(value, dt.date):
            return value.isoformat()
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        return str(value)


def _fields(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in SKIPPED]


def history_entries(
    records: Iterable, describe: Callable[[object], str], *, on_create: Iterable[str] | None = None
) -> list[HistoryEntry]:
    """One entry per historical record (of one model), each against the record before it of the same row.
    `describe(record)` names the row ("Action: …"); `on_create` names the fields a new row is recognised by
    (ON_CREATE's, for the models of this app)."""
    records = sorted(records, key=lambda r: (r.history_date, r.history_id))
    values = _Values()
    last: dict[object, object] = {}
    entries = []
    for record in records:
        model = record.instance_type
        before = last.get(record.id)
        last[record.id] = record
        changes = []
        recognised_by = ON_CREATE.get(model, ()) if on_create is None else on_create
        for f in _fields(model):
            new = getattr(record, f.attname)
            if record.history_type == "+" or before is None:
                if f.name in recognised_by and new not in (None, ""):
                    changes.append(Change(str(f.verbose_name), "", values.show(f, new)))
                continue
            old = getattr(before, f.attname)
            if old != new:
                changes.append(Change(str(f.verbose_name), values.show(f, old), values.show(f, new)))
        if record.history_type == "~" and not changes:
            continue  # a save that changed nothing a reader would see
        entries.append(
            HistoryEntry(
                when=record.history_date,
                who=record.history_user,
                what=describe(record),
                kind=str(KINDS.get(record.history_type, record.history_type)),
                changes=changes,
            )
        )
    return entries


def case_history(*, case: Case) -> list[HistoryEntry]:
    """Every recorded change of the case itself."""
    return history_entries(Case.history.filter(id=case.pk).select_related("history_user"), lambda r: str(_("Case")))


def _event_entry(event: TimelineEvent) -> HistoryEntry:
    changes = []
    if event.from_status or event.to_status:
        changes.append(Change(str(_("status")), event.from_label, event.to_label))
    if event.reason:
        changes.append(Change(str(_("reason")), "", event.reason))
    return HistoryEntry(
        when=event.created_at,
        who=event.actor,
        what=event.action_label,
        # The cycle's own events sit beside the case's (a release moves both): say whose it is.
        kind=str(_("event")) if event.case_id else str(_("cycle event")),
        changes=changes,
        source="timeline",
    )


def case_record(*, case: Case, changes: Iterable[HistoryEntry] = ()) -> list[HistoryEntry]:
    """The case file's record: the timeline's events, the case's recorded changes and `changes` (those of later
    layers' rows), oldest first (an event before the changes it caused, which are saved in the same instant or
    just before)."""
    events = [_event_entry(e) for e in timeline_for_case(case=case)]
    return sorted([*events, *case_history(case=case), *changes], key=lambda e: (e.when, e.source != "timeline"))


__all__ = [
    "Change",
    "HistoryEntry",
    "case_history",
    "case_record",
    "history_entries",
]
