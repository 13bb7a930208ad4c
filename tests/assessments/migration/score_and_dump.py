"""Run by `manage.py shell` in a checkout (the code before rater groups were rows, or today's): close the demo's
open cycle if needed, score every cycle that has ballots with that checkout's scoring, and print every stored
figure as JSON, keyed by what survives the migration (cycle name, team, employee number). Only plain Django and
`cycle_compute_results` are used, which both checkouts have."""

import json
import sys

from assessments.models import Cycle, SubjectResult
from assessments.services import cycle_close
from assessments.services.scoring import cycle_compute_results

for cycle in Cycle.objects.order_by("year"):
    if cycle.status == Cycle.Status.OPEN:
        cycle_close(cycle=cycle)
    cycle_compute_results(cycle=cycle)

figures = {}
for r in SubjectResult.objects.select_related("cycle", "case__team", "subject__person").order_by("pk"):
    key = f"{r.cycle.name}|{r.case.team.name}|{r.subject.person.employee_number if r.subject.person else 'team'}"
    figures[key] = {
        "total": None if r.total is None else str(r.total),
        "grade": r.grade,
        "rank_in_team": r.rank_in_team,
        "rank_in_cycle": r.rank_in_cycle,
        "dimensions": r.dimensions,
        "groups": {
            g: {"n": v["n"], "void": v["void"], "score": v["score"], "dimensions": v["dimensions"]}
            for g, v in r.groups.items()
        },
        "weights_used": r.weights_used,
        "votes": r.votes,
        "flags": [r.flag_removal_review, r.flag_warning_talk],
    }
sys.stdout.write("FIGURES " + json.dumps(figures, sort_keys=True) + "\n")
