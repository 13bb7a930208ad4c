"""Every write to assessments goes through a function here."""

from .ballots import ballot_submit, draft_save, sheet_for
from .codes import code_resolve, codes_issue
from .cycles import (
    case_close,
    case_create,
    case_start_improving,
    cycle_archive,
    cycle_close,
    cycle_create,
    cycle_open,
    cycle_purge_test_ballots,
    cycle_release,
    cycle_reopen,
    cycle_score,
    cycle_score_later,
)
from .frameworks import framework_new_version
from .scoring import cycle_compute_results

__all__ = [
    "ballot_submit",
    "case_close",
    "case_create",
    "case_start_improving",
    "code_resolve",
    "codes_issue",
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
    "draft_save",
    "framework_new_version",
    "sheet_for",
]
