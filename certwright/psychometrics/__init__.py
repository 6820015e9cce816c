"""Psychometrics for the exams: item analysis, IRT, equating and batch scoring.

Pure numpy/scipy: no Django, no I/O. The Django apps turn database rows into arrays,
call these functions and store the results.

* :mod:`.responses` — response codes (OMIT, NOT_SEEN, MISSING) and input checks.
* :mod:`.ctt` — classical item analysis: p, corrected point-biserial, distractors,
  KR-20, flags (:func:`item_analysis`).
* :mod:`.irt` — Rasch and 2PL calibration by marginal maximum likelihood, with
  fixed anchors for pretest items (:func:`calibrate`); EAP/ML ability; ICC/TCC.
* :mod:`.equating` — linking (Stocking–Lord, mean/sigma), IRT true-score equating,
  the new form's raw cut and raw→scaled table (:func:`equate_form`).
* :mod:`.number_correct` — number-correct scoring with content areas, pass/fail and
  scaled score, batch (:func:`score_batch`) and one candidate (:func:`score_attempt`).
* :mod:`.simulate` — seeded synthetic parameters and responses.
"""

from .ctt import Flag, FlagRules, ItemAnalysis, item_analysis
from .equating import (
    IDENTITY,
    FormEquating,
    Linking,
    ThetaScale,
    base_form_scale,
    equate_form,
    link,
)
from .irt import Calibration, calibrate, eap, icc, mle, raw_to_theta, tcc
from .number_correct import (
    AttemptScore,
    BatchScores,
    FormKey,
    score_attempt,
    score_batch,
)
from .responses import MISSING, NOT_SEEN, OMIT, as_choices, dichotomize

__all__ = [
    "IDENTITY",
    "MISSING",
    "NOT_SEEN",
    "OMIT",
    "AttemptScore",
    "BatchScores",
    "Calibration",
    "Flag",
    "FlagRules",
    "FormEquating",
    "FormKey",
    "ItemAnalysis",
    "Linking",
    "ThetaScale",
    "as_choices",
    "base_form_scale",
    "calibrate",
    "dichotomize",
    "eap",
    "equate_form",
    "icc",
    "item_analysis",
    "link",
    "mle",
    "raw_to_theta",
    "score_attempt",
    "score_batch",
    "tcc",
]
