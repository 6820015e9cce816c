"""The pure rules core: facts + program + date -> certifications, titles, eligibility.

No Django, no I/O, no clock: every function takes the date it answers for. The program
data names the tests; this package names none.
"""

from .describe import holds
from .eligibility import Eligibility, eligibility
from .engine import CreditProgress, credit_progress, evaluate, expr_spans
from .facts import (
    CertificationState,
    Evaluation,
    Experience,
    Facts,
    Period,
    RenewalCredit,
    Revocation,
    Step,
    TestResult,
    TitleState,
)
from .planner import PlanItem, TitlePlan, plan_title
from .timeline import Change, timeline

__all__ = [
    "CertificationState",
    "Change",
    "CreditProgress",
    "Eligibility",
    "Evaluation",
    "Experience",
    "Facts",
    "Period",
    "PlanItem",
    "RenewalCredit",
    "Revocation",
    "Step",
    "TestResult",
    "TitlePlan",
    "TitleState",
    "credit_progress",
    "eligibility",
    "evaluate",
    "expr_spans",
    "holds",
    "plan_title",
    "timeline",
]
