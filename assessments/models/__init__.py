from .ballots import Assignment, Ballot, BallotCode, BallotDraft, Score, SectionResponse
from .choices import Grade, Vote
from .cycles import Case, CaseSubject, Cycle, TimelineEvent
from .frameworks import Dimension, Framework, Indicator
from .groups import SELF, CaseRater, CycleRaterGroup
from .results import CaseResult, CycleResult, SubjectResult

__all__ = [
    "SELF",
    "Assignment",
    "Ballot",
    "BallotCode",
    "BallotDraft",
    "Case",
    "CaseRater",
    "CaseResult",
    "CaseSubject",
    "Cycle",
    "CycleRaterGroup",
    "CycleResult",
    "Dimension",
    "Framework",
    "Grade",
    "Indicator",
    "Score",
    "SectionResponse",
    "SubjectResult",
    "TimelineEvent",
    "Vote",
]
