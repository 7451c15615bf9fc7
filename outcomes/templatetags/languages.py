"""The page in each of the site's languages: `{% load languages %}`.

`{% language_links as languages %}` gives, for each of settings.LANGUAGES, the same
page's address in that language, with the query the page answers (a kept page is kept per
that query: edge.pages.public_page), never another parameter; `{{ code|bcp47 }}` writes a
Django language code as HTML's lang and hreflang want it (zh-hans is zh-Hans)."""

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
