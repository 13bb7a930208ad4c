"""Every write to follow-up (feedback talks, appeals, improvement plans) goes through a function here."""

from .feedback import feedback_appeal_decide, feedback_record_talk, feedback_respond, feedback_review_conclude
from .plans import (
    action_add,
    action_remove,
    action_update,
    actions_mark_overdue,
    plan_approve,
    plan_complete,
    plan_create,
    plan_return,
    plan_start,
    plan_submit,
    plan_update,
    plan_verify,
    progress_post,
)

__all__ = [
    "action_add",
    "action_remove",
    "action_update",
    "actions_mark_overdue",
    "feedback_appeal_decide",
    "feedback_record_talk",
    "feedback_respond",
    "feedback_review_conclude",
    "plan_approve",
    "plan_complete",
    "plan_create",
    "plan_return",
    "plan_start",
    "plan_submit",
    "plan_update",
    "plan_verify",
    "progress_post",
]
