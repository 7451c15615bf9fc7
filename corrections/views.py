"""The report form (general, or about one outcome, where `?kind=later` suggests a later
report) and its thank-you page: never cached, as they hold a CSRF token."""

import time
from datetime import timedelta

from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_safe

from corrections import limits
from corrections.forms import CorrectionForm, LaterReportSuggestionForm
from corrections.models import CorrectionReport
from outcomes.models import Outcome


@never_cache
@require_http_methods(["GET", "HEAD", "POST"])
def report(request, slug=None):
    outcome = (
        get_object_or_404(Outcome.objects.select_related("category"), slug=slug) if slug else None
    )
    suggestion = outcome is not None and request.GET.get("kind") == "later"
    form_class = LaterReportSuggestionForm if suggestion else CorrectionForm
    form = form_class(request.POST if request.method == "POST" else None)
    if request.method == "POST":
        client = limits.client_hash(request)
        # More reports from the whole public than editors could read (one query)?
        since = timezone.now() - timedelta(seconds=limits.WINDOW)
        if CorrectionReport.objects.filter(created__gte=since).count() >= limits.OVERALL:
            return too_many(request)
        if form.is_valid():
            if not limits.take(client):
                return too_many(request)
            if not form.cleaned_data.get("website"):  # the honeypot: a robot is told it worked
                correction = form.save(commit=False)
                correction.outcome = outcome
                correction.kind = form.kind
                correction.outcome_label = str(outcome)[:300] if outcome else ""
                correction.client = client
                correction.save()
            thanks = reverse("corrections:thanks")
            return redirect(f"{thanks}?{urlencode({'outcome': slug})}" if outcome else thanks)
    context = {"form": form, "outcome": outcome, "suggestion": suggestion}
    return render(request, "corrections/report_form.html", context)


@never_cache
@require_safe
def thanks(request):
    """Thanks, and a way back: to the outcome the report was about (`?outcome=`), or the list."""
    slug = request.GET.get("outcome", "")[:200]
    outcome = Outcome.objects.filter(slug=slug).first() if slug else None
    return render(request, "corrections/thanks.html", {"outcome": outcome})


def too_many(request):
    response = render(request, "corrections/too_many.html", status=429)
    # Until the window ends and each sender may send again.
    response["Retry-After"] = str(limits.WINDOW - int(time.time()) % limits.WINDOW)
    return response
