"""Telling the editors (settings.CORRECTIONS_NOTIFY) of new reports by e-mail: a worker job, so
that the sender's request never waits for a mail server."""

import logging
import time

from django.conf import settings
from django.core.mail import EmailMessage
from django.urls import reverse
from django.utils import timezone

from corrections.models import CorrectionReport, ReportKind

logger = logging.getLogger(__name__)

RETRY_SECONDS = 60  # the wait after a mail server failed
PER_ROUND = 20  # reports announced in one round at most


def message(report):
    link = settings.SITE_URL + reverse(
        "admin:corrections_correctionreport_change", args=[report.pk]
    )
    suggested = report.kind == ReportKind.LATER
    sent = "A later report was suggested" if suggested else "A correction was reported"
    body = (
        f"{sent} about {report.outcome_label or 'the catalogue'}.\n\n"
        f"{report.what}\n\n"
        f"Source link: {report.source or 'none'}\nE-mail: {report.email or 'none'}\n\n"
        f"In the inbox: {link}"
    )
    return EmailMessage(
        subject=f"{'Later report suggested' if suggested else 'Correction report'} #{report.pk}",
        body=body,
        to=settings.CORRECTIONS_NOTIFY,
        reply_to=[report.email] if report.email else None,
    )


class NotifyEditors:
    """E-mail the editors each new report once, even with two workers: a report is claimed
    (marked announced, if nobody did) before it is sent. A failed one is given back."""

    retry_at = 0.0  # time.monotonic() of the next try after a failure

    def __call__(self):
        pending = CorrectionReport.objects.filter(notified=None)
        if not settings.CORRECTIONS_NOTIFY:
            pending.update(notified=timezone.now())
            return
        if time.monotonic() < self.retry_at:
            return
        for report in pending.order_by("pk")[:PER_ROUND]:
            if not pending.filter(pk=report.pk).update(notified=timezone.now()):
                continue  # another worker claimed it
            try:
                message(report).send()
            except Exception:
                logger.exception(
                    "Could not e-mail the editors about correction report %s.", report.pk
                )
                CorrectionReport.objects.filter(pk=report.pk).update(notified=None)
                self.retry_at = time.monotonic() + RETRY_SECONDS
                return
