"""Every write to assessments goes through a function here."""

from .ballots import ballot_submit, draft_save, sheet_for
from .codes import code_resolve, codes_add, codes_issue, codes_replace_unused
from .cycles import (
    case_close,
    case_create,
    case_start_improving,
    cases_add,
    cycle_archive,
    cycle_close,
    cycle_create,
    cycle_open,
    cycle_purge_test_ballots,
    cycle_release,
    cycle_reopen,
    cycle_score,
    cycle_score_later,
    cycle_update,
)
from .frameworks import framework_new_version
from .groups import panel_set, rater_groups_set
from .mixing import anonymous_ballots_mix
from .reminders import reminders_send
from .scoring import cycle_compute_results

__all__ = [
    "anonymous_ballots_mix",
    "ballot_submit",
    "case_close",
    "case_create",
    "case_start_improving",
    "cases_add",
    "code_resolve",
    "codes_add",
    "codes_issue",
    "codes_replace_unused",
    "cycle_archive",
    "cycle_close",
    "cycle_compute_results",
    "cycle_create",
    "cycle_open",
    "cycle_purge_test_ballots",
    "cycle_release",
    "cycle_reopen",
    "cycle_score",
    "cycle_score_later",
    "cycle_update",
    "draft_save",
    "framework_new_version",
    "panel_set",
    "rater_groups_set",
    "reminders_send",
    "sheet_for",
]
