"""The public report forms (a correction; a later report suggested)."""

import re

from django import forms
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy

from corrections.models import (
    MAX_LENGTH,
    MAX_URL_LENGTH,
    CorrectionReport,
    ReportKind,
    http_url_validator,
)

# Control characters but tab and line feed, and the bidirectional overrides and
# isolates that could make a report read differently in the inbox than it was sent.
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


class PlainTextField(forms.CharField):
    """The text as typed, with line endings made \\n and unprintable characters removed:
    cleaned before the length is checked, so that a browser's \\r\\n counts once."""

    def to_python(self, value):
        if value := super().to_python(value):
            value = UNPRINTABLE.sub("", value.replace("\r\n", "\n").replace("\r", "\n")).strip()
        return value


class CorrectionForm(forms.ModelForm):
    kind = ReportKind.CORRECTION
    what = PlainTextField(
        label=gettext_lazy("What is wrong, and what should it say?"),
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=format_lazy(
            gettext_lazy(
                "Plain text, up to {most} characters. Quote the words that are wrong if you can."
            ),
            most=f"{MAX_LENGTH:,}",
        ),
        error_messages={
            "required": gettext_lazy("Please say what is wrong."),
            "max_length": format_lazy(
                gettext_lazy(
                    "Please shorten this to {most} characters or fewer (it has %(show_value)s)."
                ),
                most=f"{MAX_LENGTH:,}",
            ),
        },
    )
    source = forms.URLField(
        label=gettext_lazy("Link to a source (optional)"),
        required=False,
        max_length=MAX_URL_LENGTH,
        assume_scheme="https",
        validators=[http_url_validator],
        help_text=gettext_lazy(
            "A web page that shows the right information, starting with https:// or http://."
        ),
        error_messages={
            "invalid": gettext_lazy(
                "Please enter a web address starting with https:// or http://."
            ),
            "max_length": gettext_lazy("Please use a link of %(limit_value)s characters or fewer."),
        },
    )
    email = forms.EmailField(
        label=gettext_lazy("Your e-mail (optional)"),
        required=False,
        help_text=gettext_lazy("Only if you would like an answer. It is never published."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "invalid": gettext_lazy("Please enter an e-mail address like name@example.org.")
        },
    )
    # The honeypot: people never see it (off-screen, out of the tab order and hidden
    # from assistive technology); robots that fill in every field do.
    website = forms.CharField(
        label=gettext_lazy("Leave this field empty"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = CorrectionReport
        fields = ["what", "source", "email"]


class LaterReportSuggestionForm(CorrectionForm):
    kind = ReportKind.LATER
    field_order = ["source", "what", "email"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        what, source = self.fields["what"], self.fields["source"]
        what.label = gettext_lazy("What does it say about this outcome?")
        what.help_text = format_lazy(
            gettext_lazy(
                "Plain text, up to {most} characters: what became of the work, in a few "
                "words, and when the source was published if you know."
            ),
            most=f"{MAX_LENGTH:,}",
        )
        what.error_messages["required"] = gettext_lazy("Please say what the source reports.")
        source.required = True
        source.label = gettext_lazy("The source's address")
        source.help_text = gettext_lazy(
            "The web page of a news report, an annual report or a notice, published after "
            "the document, starting with https:// or http://."
        )
        source.error_messages["required"] = gettext_lazy(
            "Please give the source's address, starting with https:// or http://."
        )
