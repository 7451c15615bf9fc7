"""An outcome's row in a list of outcomes (the outcome list and the detail pages' lists),
built with format_html rather than a template: a row is the one piece of a list page made
afresh for each outcome, and a template costs three to four times as much for the same
HTML (docs/performance.md, "List rows"). The outcome comes from
`Outcome.objects.for_listing()`; `outcome.via` (FacetIndex.via_groupings) and
`outcome.latest_report` (FacetIndex.latest_report), where set, add how it reaches a
country through a grouping and its latest reviewed later report."""

from collections import defaultdict

from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext

from outcomes.models import Outcome, Participation, chinese_page, in_page_language, localized

# What a row shows of an organization and of a country, in the order the links take them.
ORGANIZATION = ("slug", "acronym", "name", "name_zh")
COUNTRY = ("code", "name", "name_zh")
SEPARATOR = mark_safe('<span class="sep" aria-hidden="true">·</span>')
ROW = (
    '<li class="outcome">\n<h3 class="outcome-title"><a href="{}"><span class="ref">{}</span> {}'
    '</a></h3>\n<p class="meta">{}</p>\n</li>\n'
)


def hidden(label):
    return format_html('<span class="visually-hidden">{}</span>', label)


def translated(text, **values):
    """A translation with %(name)s placeholders filled with escaped values, as
    {% blocktranslate %} fills them."""
    return mark_safe(text % {name: conditional_escape(value) for name, value in values.items()})  # noqa: S308


class Addresses:
    """The pages' addresses a batch of rows links to, each kind reversed once (a reverse
    costs as much as the rest of a row): `addresses.outcome(slug)`."""

    SLOT = "zz"  # a value every one of these addresses accepts (a country code, a slug)

    def __getattr__(self, name):
        head, tail = reverse(f"outcomes:{name}", args=[self.SLOT]).rsplit(self.SLOT, 1)
        address = f"{head}{{}}{tail}".format
        setattr(self, name, address)
        return address


def list_rows(outcomes):
    """The rows of `outcomes` (from Outcome.objects.for_listing()), as HTML, in their order
    (each row's end, "</li>", is the last of it: views.outcome_rows adds a search's snippet
    before it). Two queries, as values: model instances would cost more than the rows."""
    addresses, chinese = Addresses(), chinese_page()
    ids = [outcome.pk for outcome in outcomes]
    organizations, countries = defaultdict(list), defaultdict(list)
    for outcome, *organization in (
        Participation.objects.filter(outcome__in=ids)
        .order_by("position")
        .values_list("outcome", *(f"organization__{f}" for f in ORGANIZATION))
    ):
        organizations[outcome].append(organization)
    for outcome, *country in (
        Outcome.countries.through.objects.filter(outcome__in=ids)
        .order_by("country__name")
        .values_list("outcome", *(f"country__{f}" for f in COUNTRY))
    ):
        countries[outcome].append(country)

    def organization_link(slug, acronym, english, chinese_name):
        name_ = acronym or in_page_language(english, chinese_name, chinese)
        return addresses.organization(slug), name_

    def country_link(code, english, chinese_name):
        return addresses.country(code.lower()), in_page_language(english, chinese_name, chinese)

    def links(pairs):
        return format_html_join(", ", '<a href="{}">{}</a>', pairs)

    def row(outcome):
        category = outcome.category
        meta = [
            format_html(
                '<a class="tag" href="{}">{}</a>',
                addresses.category(category.slug),
                localized(category, "name", chinese),
            )
        ]
        if found := organizations[outcome.pk]:
            pairs = (organization_link(*organization) for organization in found)
            meta.append(hidden(gettext("Organizations:")) + links(pairs))
        if found := countries[outcome.pk]:
            pairs = (country_link(*country) for country in found)
            meta += [SEPARATOR, hidden(gettext("Countries:")) + links(pairs)]
        if report := getattr(outcome, "latest_report", None):
            text = translated(
                gettext(
                    'Latest later report: %(reading)s, <time datetime="%(iso)s">%(day)s</time>'
                ),
                reading=capfirst(report["reading"]),
                iso=date_filter(report["day"], "Y-m-d"),
                day=date_filter(report["day"], "j F Y"),
            )
            meta += [SEPARATOR, format_html('<span class="later">{}</span>', text)]
        if via := getattr(outcome, "via", None):
            each = gettext('%(country)s via <a href="%(url)s">%(region)s</a>')
            reached = ", ".join(
                translated(each, country=country, url=addresses.region(slug), region=region)
                for _, country, slug, region in via
            )
            label = pgettext("via a grouping", "reaches")
            meta += [
                SEPARATOR,
                format_html('<span class="via">{} {}</span>', label, mark_safe(reached)),
            ]
        address = addresses.outcome(outcome.slug)
        parts = mark_safe("\n".join(meta))  # noqa: S308 (each part built by format_html)
        return format_html(
            ROW, address, outcome.reference, localized(outcome, "title", chinese), parts
        )

    return [row(outcome) for outcome in outcomes]
