"""The arithmetic of scoring, with no database: each rule of DESIGN.md as a small pure function.

The set-based run (services/scoring.py) aggregates scores with one GROUP BY in the database and hands
the aggregates (count, sum, min, max per cell) to these functions.
"""

import math
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction

from .models.choices import Grade, Vote

TWO_PLACES = Decimal("0.01")
VOTES = tuple(Vote.values)


def trimmed_mean(values: Iterable[float], *, trim_above: int) -> float:
    """Mean of the values; with more than `trim_above` of them, the single highest and lowest are dropped."""
    values = list(values)
    if not values:
        raise ValueError("no values")
    return trimmed_mean_of(len(values), sum(values), min(values), max(values), trim_above)


def trimmed_mean_of(n: int, total: float, low: float, high: float, trim_above: int) -> float:
    """The same rule from a GROUP BY's aggregates (count, sum, min, max), so no value list is needed."""
    if n > trim_above:
        return (total - high - low) / (n - 2)
    return total / n


def to_percent(mean: float, *, scale_max: int) -> float:
    """A mean on the cycle's scale as a share of its maximum, 0–100."""
    return mean / scale_max * 100


def weighted_mean(pairs: Iterable[tuple[float, float]]) -> float | None:
    """Σ w·x / Σ w over (x, w) pairs; None when there is nothing to weigh."""
    total = weight = 0.0
    for x, w in pairs:
        total += float(x) * float(w)
        weight += float(w)
    return total / weight if weight else None


@dataclass(frozen=True)
class Combined:
    score: float | None
    weights_used: dict[str, float]  # renormalised to sum to 100
    renormalised: bool
    missing: tuple[str, ...]


def combine_groups(scores: Mapping[str, float | None], weights: Mapping[str, Decimal | float]) -> Combined:
    """Weighted total over rater groups. A group with no valid ballots drops out and the remaining
    weights are scaled back up to 100 %."""
    present = {g: float(w) for g, w in weights.items() if float(w) > 0 and scores.get(g) is not None}
    missing = tuple(g for g, w in weights.items() if float(w) > 0 and scores.get(g) is None)
    total_weight = sum(present.values())
    if not total_weight:
        return Combined(None, {}, bool(missing), missing)
    score = sum(scores[g] * w for g, w in present.items()) / total_weight
    used = {g: w / total_weight * 100 for g, w in present.items()}
    return Combined(score, used, bool(missing), missing)


def round_score(value: float) -> Decimal:
    """Round to two places, half up, as published. Float noise below the 6th place is removed first so
    that 89.995 computed as 89.99499999999999 still rounds the way a person doing it by hand would."""
    return Decimal(repr(round(value, 6))).quantize(TWO_PLACES, rounding=ROUND_HALF_UP)


def round_figure(value: float) -> float:
    """round_score as a float, for the many figures shown beside the total: the same half-up result,
    without building a Decimal for each (a cycle has a hundred thousand of them)."""
    scaled = round(round(value, 6) * 100, 4)  # at most 4 decimals left: removes float noise from the product
    return math.floor(scaled + 0.5) / 100


@dataclass(frozen=True)
class Bands:
    excellent: Decimal
    competent: Decimal
    basic: Decimal


def grade_for(total: Decimal, bands: Bands) -> str:
    """The grade of a published (rounded) total, so the figure a leader reads and the grade agree."""
    if total >= bands.excellent:
        return Grade.EXCELLENT
    if total >= bands.competent:
        return Grade.COMPETENT
    if total >= bands.basic:
        return Grade.BASIC
    return Grade.INCOMPETENT


@dataclass(frozen=True)
class VoteSummary:
    counts: dict[str, int]
    total: int
    shares: dict[str, float]  # percent, incl. "excellent_or_competent"
    removal_review: bool
    warning_talk: bool


def summarise_votes(
    counts: Mapping[str, int], *, removal_share: Fraction | str, warning_share: Fraction | str
) -> VoteSummary:
    """Counts and shares of the overall votes, and the two flags: incompetent above the removal share
    (default 1/3) → removal review; excellent + competent below the warning share (2/3) → warning talk.
    Compared as exact fractions so that exactly one third is not above one third."""
    counts = {v: int(counts.get(v, 0)) for v in VOTES}
    total = sum(counts.values())
    if not total:
        return VoteSummary(counts, 0, {}, False, False)
    good = counts[Vote.EXCELLENT] + counts[Vote.COMPETENT]
    if isinstance(removal_share, str):
        removal_share = Fraction(removal_share)
    if isinstance(warning_share, str):
        warning_share = Fraction(warning_share)
    shares = {v: counts[v] / total * 100 for v in VOTES}
    shares["excellent_or_competent"] = good / total * 100
    return VoteSummary(
        counts,
        total,
        shares,
        # Cross-multiplied, so the comparison is exact without building a Fraction per subject.
        removal_review=counts[Vote.INCOMPETENT] * removal_share.denominator > removal_share.numerator * total,
        warning_talk=good * warning_share.denominator < warning_share.numerator * total,
    )


def competition_ranks(values: Mapping[Hashable, Decimal | None]) -> dict[Hashable, int]:
    """1-2-2-4 ranking, highest first; equal published totals share a rank; None is not ranked."""
    ordered = sorted(((v, k) for k, v in values.items() if v is not None), key=lambda p: p[0], reverse=True)
    ranks: dict[Hashable, int] = {}
    previous = None
    for position, (value, key) in enumerate(ordered, start=1):
        if value != previous:
            rank = position
            previous = value
        ranks[key] = rank
    return ranks
