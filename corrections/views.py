"""The report form (general, or about one outcome) and its thank-you page.

These pages hold a CSRF token, so they never go through the public page cache
(outcomes.versioning) and are sent `Cache-Control: private, no-store`.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from corrections import limits
from corrections.forms import CorrectionForm
from corrections.models import CorrectionReport
from outcomes.models import Outcome

logger = logging.getLogger(__name__)


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report(request, slug=None):
    outcome = (
        get_object_or_404(Outcome.objects.select_related("category"), slug=slug) if slug else None
    )
    form = CorrectionForm(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        client = limits.client_hash(request)
        if limits.over_limit(client) or too_many_overall():
            return too_many(request)
        if form.is_valid():
            limits.count(client)
            if not form.is_robot():  # a robot is told it worked, and nothing is kept
                correction = form.save(commit=False)
                correction.outcome = outcome
                correction.outcome_label = str(outcome)[:300] if outcome else ""
                correction.client = client
                correction.save()
                notify_editors(request, correction)
            return redirect("corrections:thanks")
    return render(request, "corrections/report_form.html", {"form": form, "outcome": outcome})


@never_cache
@require_safe
def thanks(request):
    return render(request, "corrections/thanks.html")


def too_many_overall():
    """Whether the whole public has sent more reports than editors could read (one query)."""
    since = timezone.now() - timedelta(seconds=limits.WINDOW)
    return CorrectionReport.objects.filter(created__gte=since).count() >= limits.OVERALL


def too_many(request):
    response = render(request, "corrections/too_many.html", status=429)
    response["Retry-After"] = str(limits.WINDOW)
    return response


def notify_editors(request, correction):
    """E-mail the editors (settings.CORRECTIONS_NOTIFY) about a new report, if any are set.

    A mail server that fails is logged; the report is stored and the sender thanked anyway.
    """
    if not settings.CORRECTIONS_NOTIFY:
        return
    link = request.build_absolute_uri(
        reverse("admin:corrections_correctionreport_change", args=[correction.pk])
    )
    lines = [
        f"A correction was reported about {correction.outcome_label or 'the catalogue'}.",
        "",
        correction.what,
        "",
        f"Source link: {correction.source or 'none'}",
        f"E-mail: {correction.email or 'none'}",
        "",
        f"In the inbox: {link}",
    ]
    message = EmailMessage(
        subject=f"Correction report #{correction.pk}",
        body="\n".join(lines),
        to=settings.CORRECTIONS_NOTIFY,
        reply_to=[correction.email] if correction.email else None,
    )
    try:
        message.send()
    except Exception:
        logger.exception("Could not e-mail the editors about correction report %s.", correction.pk)
