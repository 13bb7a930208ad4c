from .ballots import Assignment, Ballot, BallotCode, BallotDraft, Score, SectionResponse
from .choices import Grade, RaterGroup, Vote
from .cycles import Case, CaseSubject, Cycle, TimelineEvent
from .frameworks import Dimension, Framework, Indicator
from .results import CaseResult, CycleResult, SubjectResult

__all__ = [
    "Assignment",
    "Ballot",
    "BallotCode",
    "BallotDraft",
    "Case",
    "CaseResult",
    "CaseSubject",
    "Cycle",
    "CycleResult",
    "Dimension",
    "Framework",
    "Grade",
    "Indicator",
    "RaterGroup",
    "Score",
    "SectionResponse",
    "SubjectResult",
    "TimelineEvent",
    "Vote",
]
