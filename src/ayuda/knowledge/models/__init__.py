"""The knowledge app's models, one module per subject (docs/knowledge.md).

- ``guides``: category guides and the actions agents assign (R14, R15);
- ``articles``: knowledge-base articles, their versions and translations, and how often they
  answer a requester before a ticket is needed (R7, R17, R19, R20);
- ``trees``: decision trees and the walks through them (R18);
- ``problems``: problem records, the tickets linked to them and bulletins (R21, R31).
"""

from .articles import (
    ArticleFeedback,
    ArticleStatus,
    ArticleVersion,
    FeedbackOutcome,
    KbArticle,
    Visibility,
)
from .guides import (
    ActionKind,
    AssignedAction,
    Guide,
    GuideAnswers,
    GuideQuestion,
    GuideStep,
    QuestionKind,
    choice_lines,
)
from .problems import (
    Bulletin,
    BulletinStatus,
    LinkVia,
    Problem,
    ProblemLink,
    ProblemStatus,
    ProblemUpdate,
    UpdateKind,
)
from .trees import (
    DecisionTree,
    NodeKind,
    TreeAudience,
    TreeChoice,
    TreeNode,
    TreeStatus,
    TreeWalk,
    WalkOutcome,
)

__all__ = [
    "ActionKind",
    "ArticleFeedback",
    "ArticleStatus",
    "ArticleVersion",
    "AssignedAction",
    "Bulletin",
    "BulletinStatus",
    "DecisionTree",
    "FeedbackOutcome",
    "Guide",
    "GuideAnswers",
    "GuideQuestion",
    "GuideStep",
    "KbArticle",
    "LinkVia",
    "NodeKind",
    "Problem",
    "ProblemLink",
    "ProblemStatus",
    "ProblemUpdate",
    "QuestionKind",
    "TreeAudience",
    "TreeChoice",
    "TreeNode",
    "TreeStatus",
    "TreeWalk",
    "UpdateKind",
    "Visibility",
    "WalkOutcome",
    "choice_lines",
]
