"""The public report form: plain text, bounded, with a honeypot for robots."""

import re

from django import forms

from corrections.models import MAX_LENGTH, MAX_URL_LENGTH, CorrectionReport, http_url_validator

# Control characters but tab and line feed, and the bidirectional overrides and
# isolates that could make a report read differently in the inbox than it was sent.
UNPRINTABLE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")


def plain_text(value):
    """The text as typed, with line endings made \\n and unprintable characters removed."""
    return UNPRINTABLE.sub("", value.replace("\r\n", "\n").replace("\r", "\n"))


class PlainTextField(forms.CharField):
    """Cleans before the length is checked, so that a browser's \\r\\n counts once."""

    def to_python(self, value):
        value = super().to_python(value)
        return plain_text(value).strip() if value else value


class CorrectionForm(forms.ModelForm):
    what = PlainTextField(
        label="What is wrong, and what should it say?",
        max_length=MAX_LENGTH,
        widget=forms.Textarea(attrs={"rows": 8}),
        help_text=f"Plain text, up to {MAX_LENGTH:,} characters. Quote the words that are "
        "wrong if you can.",
        error_messages={
            "required": "Please say what is wrong.",
            "max_length": f"Please shorten this to {MAX_LENGTH:,} characters or fewer "
            "(it has %(show_value)s).",
        },
    )
    source = forms.URLField(
        label="Link to a source (optional)",
        required=False,
        max_length=MAX_URL_LENGTH,
        assume_scheme="https",
        validators=[http_url_validator],
        help_text="A web page that shows the right information, starting with https:// or http://.",
        error_messages={
            "invalid": "Please enter a web address starting with https:// or http://.",
            "max_length": f"Please use a link of {MAX_URL_LENGTH} characters or fewer.",
        },
    )
    email = forms.EmailField(
        label="Your e-mail (optional)",
        required=False,
        help_text="Only if you would like an answer. It is never published.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": "Please enter an e-mail address like name@example.org."},
    )
    # The honeypot: people never see it (off-screen, out of the tab order and hidden
    # from assistive technology); robots that fill in every field do.
    website = forms.CharField(
        label="Leave this field empty",
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    class Meta:
        model = CorrectionReport
        fields = ["what", "source", "email"]

    def is_robot(self):
        """Whether the honeypot was filled in (call after is_valid)."""
        return bool(self.cleaned_data.get("website"))
