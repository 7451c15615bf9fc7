"""`{% new_report_count as count %}`: correction reports no editor has opened yet."""

from django import template

from corrections.models import CorrectionReport, ReportStatus

register = template.Library()


@register.simple_tag
def new_report_count():
    return CorrectionReport.objects.filter(status=ReportStatus.NEW).count()
