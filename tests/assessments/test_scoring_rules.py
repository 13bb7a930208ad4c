"""The scoring arithmetic, one rule at a time, against figures worked out by hand."""

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments.scoring import (
    Bands,
    combine_groups,
    competition_ranks,
    grade_for,
    round_figure,
    round_score,
    summarise_votes,
    to_percent,
    trimmed_mean,
)

BANDS = Bands(Decimal(90), Decimal(70), Decimal(60))
WEIGHTS = {"superior": Decimal(30), "peer": Decimal(30), "subordinate": Decimal(40)}


def test_five_ballots_give_the_plain_mean():
    assert trimmed_mean([4, 6, 8, 9, 10], trim_above=5) == pytest.approx(7.4)


def test_six_ballots_drop_one_highest_and_one_lowest():
    # (2+6+7+8+9+10 - 10 - 2) / 4 = 30 / 4
    assert trimmed_mean([2, 6, 7, 8, 9, 10], trim_above=5) == pytest.approx(7.5)


def test_trimming_drops_only_one_of_several_equal_extremes():
    assert trimmed_mean([10, 10, 10, 1, 1, 5], trim_above=5) == pytest.approx((10 + 10 + 1 + 5) / 4)


def test_a_score_is_a_share_of_the_scale_maximum():
    assert to_percent(8.5, scale_max=10) == pytest.approx(85.0)


def test_the_weighted_total_uses_the_cycle_weights():
    combined = combine_groups({"superior": 90.0, "peer": 80.0, "subordinate": 80.0}, WEIGHTS)
    assert combined.score == pytest.approx(83.0)
    assert not combined.renormalised


def test_an_empty_group_drops_out_and_the_other_weights_are_renormalised():
    combined = combine_groups({"superior": None, "peer": 80.0, "subordinate": 90.0}, WEIGHTS)
    assert combined.score == pytest.approx((30 * 80 + 40 * 90) / 70)
    assert combined.renormalised
    assert combined.missing == ("superior",)
    assert combined.weights_used == pytest.approx({"peer": 300 / 7, "subordinate": 400 / 7})


def test_no_group_at_all_gives_no_total():
    assert combine_groups({"superior": None, "peer": None, "subordinate": None}, WEIGHTS).score is None


@pytest.mark.parametrize(
    ("raw", "published", "grade"),
    [
        (89.995, Decimal("90.00"), "excellent"),
        (89.99499999999999, Decimal("90.00"), "excellent"),  # float noise of a computed 89.995
        (89.994, Decimal("89.99"), "competent"),
        (90.0, Decimal("90.00"), "excellent"),
        (70.0, Decimal("70.00"), "competent"),
        (69.994, Decimal("69.99"), "basic"),
        (60.0, Decimal("60.00"), "basic"),
        (59.99, Decimal("59.99"), "incompetent"),
    ],
)
def test_the_grade_follows_the_published_total_at_band_boundaries(raw, published, grade):
    assert round_score(raw) == published
    assert grade_for(round_score(raw), BANDS) == grade


def test_vote_shares_and_no_flags_for_a_good_result():
    summary = summarise_votes({"excellent": 2, "competent": 2}, removal_share="1/3", warning_share="2/3")
    assert summary.total == 4
    assert summary.shares["excellent"] == 50.0
    assert summary.shares["excellent_or_competent"] == 100.0
    assert not summary.removal_review and not summary.warning_talk


def test_exactly_one_third_incompetent_is_not_above_one_third():
    summary = summarise_votes({"competent": 2, "incompetent": 1}, removal_share="1/3", warning_share="2/3")
    assert not summary.removal_review
    assert not summary.warning_talk  # 2/3 is not below 2/3


def test_more_than_one_third_incompetent_flags_a_removal_review_and_a_warning_talk():
    summary = summarise_votes({"competent": 1, "basic": 1, "incompetent": 2}, removal_share="1/3", warning_share="2/3")
    assert summary.removal_review
    assert summary.warning_talk


def test_ties_share_a_rank_and_the_next_rank_is_skipped():
    ranks = competition_ranks({"a": Decimal("88.10"), "b": Decimal("91.00"), "c": Decimal("88.10"), "d": Decimal("70")})
    assert ranks == {"b": 1, "a": 2, "c": 2, "d": 4}


def test_people_without_a_total_are_not_ranked():
    assert competition_ranks({"a": None, "b": Decimal(80)}) == {"b": 1}


@given(st.floats(min_value=0, max_value=100, allow_nan=False))
def test_figures_beside_the_total_round_exactly_like_the_total(value):
    assert round_figure(value) == float(round_score(value))


@given(st.integers(min_value=0, max_value=10_000_000))
def test_figures_round_half_up_at_every_half(millis):
    value = millis / 100_000  # values such as 89.995 that sit on a half
    assert round_figure(value) == float(round_score(value))
