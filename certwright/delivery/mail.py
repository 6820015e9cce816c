"""The e-mail a candidate gets about an attempt: its result, with what the result
page shows (``selectors.attempt_result_context``). The text is in the
``notifications/email/exam_result`` templates.
"""

from __future__ import annotations

import logging

from certwright.candidates.models import Technician
from certwright.candidates.selectors import technician_email
from certwright.delivery.models import Attempt
from certwright.delivery.selectors import attempt_result_context
from certwright.notifications.services import email_send

logger = logging.getLogger(__name__)


def result_email_send(attempt: Attempt) -> None:
    """Mail the candidate the result of a scored attempt (logged and skipped when
    the candidate has no e-mail address)."""
    technician = Technician.objects.select_related("user").get(pk=attempt.technician_id)
    to = technician_email(technician)
    if not to:
        logger.warning("attempt %s: the candidate has no e-mail", attempt.pk)
        return
    email_send(to=to, template="exam_result", context=attempt_result_context(attempt))
