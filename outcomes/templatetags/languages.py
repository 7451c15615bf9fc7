"""`{% language_links as languages %}`: the page's address in each of settings.LANGUAGES, with
only the query the page answers (a kept page is kept per that query: edge.pages.public_page).
`{{ code|bcp47 }}`: a language code as HTML's lang and hreflang want it (zh-Hans)."""

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, to_locale

register = template.Library()


@register.filter
def bcp47(code):
    return to_locale(code or settings.LANGUAGE_CODE).replace("_", "-")


@register.simple_tag(takes_context=True)
def language_links(context):
    request = context.get("request")
    if request is None:
        return []
    query = getattr(request, "canonical_query", "")
    return [
        {
            "code": code,
            "tag": bcp47(code),
            "name": name,
            "url": translate_url(request.path, code) + (f"?{query}" if query else ""),
            "current": code == get_language(),
        }
        for code, name in settings.LANGUAGES
    ]
