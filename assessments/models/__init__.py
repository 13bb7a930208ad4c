from .ballots import Assignment, Ballot, BallotCode, BallotDraft, Score, SectionResponse
from .choices import Grade, RaterGroup, Vote
from .cycles import Case, CaseSubject, Cycle, TimelineEvent
from .feedback import FeedbackTalk
from .frameworks import Dimension, Framework, Indicator
from .plans import Action, ActionTemplate, Evidence, ImprovementPlan, ProgressUpdate
from .results import CaseResult, CycleResult, SubjectResult

__all__ = [
    "Action",
    "ActionTemplate",
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
    "Evidence",
    "FeedbackTalk",
    "Framework",
    "Grade",
    "ImprovementPlan",
    "Indicator",
    "ProgressUpdate",
    "RaterGroup",
    "Score",
    "SectionResponse",
    "SubjectResult",
    "TimelineEvent",
    "Vote",
]
