"""What may be shown of results, as pure functions: the one rule every surface applies (through the selectors).

- A rater group below the cycle's k is never shown; with fewer than k raters in the weighted groups, none of
  the subject's figures is (its result is *hidden*). With one weighted group below k, no group is shown apart,
  since the total would let that group's mean be backed out.
- A leader's self-evaluation is one person's rating: that leader and HR see it, nobody else (not the team's
  principal). A team's own rating by its members is a group like any other and needs k.
- Hidden results enter no aggregate (averages, grade counts, ranks) for anyone, HR included: an average over
  a hidden member beside the visible ones gives the hidden figures back.
- An aggregate over people whose figures a viewer does not receive (a leader's "team average" over their
  colleagues) is shown only when it covers at least `cohort_minimum(k)` such people, and two such aggregates
  are shown together only when their difference does too: otherwise one colleague's figure would be
  `average × n − what I know`.
"""

from collections.abc import Mapping

from .models.groups import SELF

# Each group of a stored result carries the rules it was scored under: whether it counts in the total ("counted")
# and its own k ("k", the cycle's unless the group sets one). Groups are fixed once a cycle opens, so these are
# the cycle's rules, kept with the figures they govern.


def _k(group: Mapping, k: int) -> int:
    return int(group.get("k") or k)


def counted_groups(groups: Mapping[str, Mapping]) -> dict[str, Mapping]:
    """The groups with valid ballots that count in the total."""
    return {g: v for g, v in groups.items() if v.get("counted") and v["n"] > 0}


def weighted_raters(groups: Mapping[str, Mapping]) -> int:
    """How many valid ballots the groups that count in the total hold."""
    return sum(int(v["n"]) for v in counted_groups(groups).values())


def figures_published(groups: Mapping[str, Mapping], k: int) -> bool:
    """Whether a subject's total, grade, ranks, dimensions and flags may be shown at all (to anyone)."""
    return weighted_raters(groups) >= k


def groups_apart_shown(groups: Mapping[str, Mapping], k: int) -> bool:
    """Whether the weighted groups may be shown one by one: every one with ballots has at least its k."""
    present = counted_groups(groups).values()
    return figures_published(groups, k) and all(g["n"] >= _k(g, k) for g in present)


def beside_groups_shown(groups: Mapping[str, Mapping], k: int) -> dict[str, Mapping]:
    """Groups shown beside the total that are not the self-evaluation (e.g. 服务对象 for information): each on its
    own, once it holds its k. They enter no figure, so none can be backed out of another."""
    return {g: v for g, v in groups.items() if g != SELF and not v.get("counted") and v["n"] > 0 and v["n"] >= _k(v, k)}


def self_group_shown(groups: Mapping[str, Mapping], k: int, *, is_team: bool, viewer_is_subject_or_hr: bool) -> bool:
    """A member's self-evaluation: to that member and HR. A team's self group (its members rating their own
    team): to anyone who may see the team's result, once it holds k ballots."""
    own = groups.get(SELF)
    if not own or not own.get("n"):
        return False
    if is_team:
        return own["n"] >= _k(own, k)
    return viewer_is_subject_or_hr


def cohort_minimum(k: int) -> int:
    """The fewest people an aggregate over figures the viewer does not see may cover. At least two whatever k,
    or the "average" of one other person is that person's figure."""
    return max(k, 2)


def peer_average_shown(*, published: int, own_published: int, k: int) -> bool:
    """A team (or cycle) average for a viewer who does not receive its members' figures: `published` members
    in it, `own_published` of them the viewer's own. Shown only over enough others."""
    others = published - own_published
    return (others == 0 and published > 0) or others >= cohort_minimum(k)
