"""An outcome's row in a list of outcomes, built with format_html rather than a template
(three to four times as costly for the same HTML) from what the facet index of the data
version holds: no query (docs/performance.md)."""

from django.template.defaultfilters import date as date_filter
from django.urls import reverse
from django.utils.html import conditional_escape, format_html, format_html_join
from django.utils.safestring import mark_safe
from django.utils.text import capfirst
from django.utils.translation import gettext, pgettext

from outcomes.models import chinese_page, in_page_order, shown_name

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


def list_rows(ids, index, via=None, later=False):
    """{id: row} of the outcomes `ids` that `index` (a facets.FacetIndex) holds, as HTML;
    `via`, {id: FacetIndex.via_groupings}, says how an outcome reaches a country through a
    grouping, `later` adds its latest reviewed later report. A row's "</li>" is its last:
    views.outcome_rows adds a search's snippet before it."""
    addresses, chinese = Addresses(), chinese_page()
    separator = pgettext("list separator", ", ")  # Chinese lists use "、"
    names = {facet: index.names[facet] for facet in ("category", "organization", "country")}

    def name(facet, key):
        english, chinese_name = names[facet][key][0]
        return shown_name(english, chinese_name, key not in index.unreviewed[facet], chinese)

    def values(facet, bit):
        return index.facets[facet].values_of[bit]

    def links(pairs):
        return format_html_join(separator, '<a href="{}">{}</a>', pairs)

    def country_order(code):
        return in_page_order(names["country"][code][1], names["country"][code][0][1], chinese)

    def row(pk, bit):
        reference, slug, title, title_zh, reviewed = index.heads[pk]
        category = values("category", bit)[0]
        tag = '<a class="tag" href="{}">{}</a>'
        meta = [format_html(tag, addresses.category(category), name("category", category))]
        if found := values("organization", bit):
            pairs = (
                (addresses.organization(o), index.acronyms.get(o) or name("organization", o))
                for o in found
            )
            meta.append(hidden(gettext("Organizations:")) + links(pairs))
        if found := sorted(values("country", bit), key=country_order):
            pairs = ((addresses.country(code.lower()), name("country", code)) for code in found)
            meta += [SEPARATOR, hidden(gettext("Countries:")) + links(pairs)]
        if later and (report := index.latest_report(pk)):
            text = translated(
                gettext(
                    'Latest later report: %(reading)s, <time datetime="%(iso)s">%(day)s</time>'
                ),
                reading=capfirst(report["reading"]),
                iso=date_filter(report["day"], "Y-m-d"),
                day=date_filter(report["day"], "DATE_FORMAT"),
            )
            meta += [SEPARATOR, format_html('<span class="later">{}</span>', text)]
        if groupings := (via or {}).get(pk):
            each = gettext('%(country)s via <a href="%(url)s">%(region)s</a>')
            reached = separator.join(
                translated(each, country=country, url=addresses.region(region_slug), region=region)
                for _, country, region_slug, region in groupings
            )
            label = pgettext("via a grouping", "reaches")
            meta += [
                SEPARATOR,
                format_html('<span class="via">{} {}</span>', label, mark_safe(reached)),
            ]
        parts = mark_safe("\n".join(meta))  # noqa: S308 (each part built by format_html)
        title = shown_name(title, title_zh, reviewed, chinese)
        return format_html(ROW, addresses.outcome(slug), reference, title, parts)

    return {pk: row(pk, index.bit[pk]) for pk in ids if pk in index.bit}
