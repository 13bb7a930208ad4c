from .feedback import FeedbackTalk
from .plans import Action, ActionTemplate, Evidence, ImprovementPlan, ProgressUpdate

__all__ = ["Action", "ActionTemplate", "Evidence", "FeedbackTalk", "ImprovementPlan", "ProgressUpdate"]
