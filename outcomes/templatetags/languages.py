"""The page in each of the site's languages: `{% load languages %}`.

`{% language_links as languages %}` gives, for each of settings.LANGUAGES, the same
page's address in that language, with the query the page answers (a kept page is kept per
that query: versioning.public_page), never another parameter; `{{ code|bcp47 }}` writes a
Django language code as HTML's lang and hreflang want it (zh-hans is zh-Hans)."""

from functools import lru_cache

from django import template
from django.conf import settings
from django.urls import translate_url
from django.utils.translation import get_language, to_locale

register = template.Library()


@register.filter
def bcp47(code):
    return to_locale(code or settings.LANGUAGE_CODE).replace("_", "-")


@lru_cache(maxsize=4096)
def page_in(path, current, code):
    """The page at `path` (in the `current` language) in the language `code`. Resolving
    and reversing an address costs more than the rest of a list page's header, and it
    is the same for every visitor: it is worked out once per process (`current` keys it,
    as translate_url resolves the path in the active language)."""
    return translate_url(path, code)


@register.simple_tag(takes_context=True)
def language_links(context):
    request = context.get("request")
    if request is None:
        return []
    query = getattr(request, "canonical_query", "")
    current = get_language()
    links = []
    for code, name in settings.LANGUAGES:
        # Remembered for the pages there are, not for every address a 404 answers.
        resolved = getattr(request, "resolver_match", None) is not None
        path = (page_in if resolved else page_in.__wrapped__)(request.path, current, code)
        links.append(
            {
                "code": code,
                "tag": bcp47(code),
                "name": name,
                "url": f"{path}?{query}" if query else path,
                "current": code == current,
            }
        )
    return links
