"""Writing the case timeline: who did what, when and why — never who cast which ballot."""

from ..models import Case, Cycle, TimelineEvent


def actor_user(actor):
    """The acting user, or None for the system (a task, a command, an anonymous request)."""
    return actor if getattr(actor, "is_authenticated", False) else None


def by(obj, actor):
    """`obj`, marked with who changes it, for its history row: also outside a web request (a task, a command,
    an API call made with a key), where the history middleware has no user to give."""
    obj._history_user = actor_user(actor)
    return obj


def event_write(
    *,
    cycle: Cycle,
    case: Case | None = None,
    actor=None,
    action: str,
    old: str = "",
    new: str = "",
    reason: str = "",
    data: dict | None = None,
) -> TimelineEvent:
    return TimelineEvent.objects.create(
        cycle=cycle,
        case=case,
        actor=actor_user(actor),
        action=action,
        from_status=old,
        to_status=new,
        reason=reason,
        data=data or {},
    )
