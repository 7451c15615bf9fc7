"""Suggested citations (docs/reuse.md, "Cite this"): CSL-JSON items, written in three styles
by the rules of each style's manual, and as BibTeX (bibtexparser) and RIS (rispy)."""

import json
import re

import bibtexparser
import rispy
from bibtexparser.model import Entry, Field
from django.conf import settings
from django.http import HttpResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import mark_safe

from outcomes.history import quoted

CATALOGUE = "SIRONET Outcomes Catalogue"
CATALOGUE_EDITORS = "SIRONET Outcomes Catalogue editors"
LICENSE = settings.CATALOGUE_LICENSE["path"]

# Downloads: file suffix -> (label, media type).
FORMATS = {
    "csl.json": ("CSL-JSON", "application/vnd.citationstyles.csl+json"),
    "bib": ("BibTeX", "application/x-bibtex; charset=utf-8"),
    "ris": ("RIS", "application/x-research-info-systems; charset=utf-8"),
}


def download(items, format, name):
    """A citation file of `items`, downloaded as `name`.`format` (a FORMATS key)."""
    response = HttpResponse(download_text(items, format), content_type=FORMATS[format][1])
    response["Content-Disposition"] = f'attachment; filename="{name}.{format}"'
    return response


def download_text(items, format):
    items = [_clean(item) for item in items]  # as each style writes it: no empty values
    if format == "csl.json":
        return json.dumps(items, ensure_ascii=False, indent=2)
    return bibtex(items) if format == "bib" else ris(items)


def date_parts(day):
    return {"date-parts": [[day.year, day.month, day.day]]} if day else None


def _clean(item):
    return {key: value for key, value in item.items() if value not in (None, "", [])}


def _home(request):
    return request.build_absolute_uri(reverse("outcomes:home"))


def _today():
    return date_parts(timezone.localdate())


def source_item(source):
    return {
        "id": f"source:{source.slug}",
        "type": "report",
        "title": source.title,
        "author": [{"literal": source.publisher}],
        "publisher": source.publisher,
        "issued": date_parts(source.published),
        "accessed": _today() if source.url else None,
        "URL": source.url,
    }


def document_item(source, reference):
    return {**source_item(source), "id": f"item:{source.slug}:{reference}", "number": reference}


def record_item(outcome, request):
    """The record, at its permanent address (outcome from Outcome.objects.with_revision())."""
    address = reverse("outcomes:source_item", args=[outcome.source.slug, outcome.reference])
    return {
        "id": f"record:{outcome.source.slug}:{outcome.reference}",
        "type": "webpage",
        "title": f"{outcome.reference}. {outcome.title}",
        "author": [{"literal": CATALOGUE_EDITORS}],
        "container-title": CATALOGUE,
        "issued": date_parts(outcome.last_changed and timezone.localdate(outcome.last_changed)),
        "accessed": _today(),
        "version": str(outcome.revision),
        "URL": request.build_absolute_uri(address),
    }


def frozen_record_item(row, release, request):
    """The record as a release froze it (`row`: its frozen outcomes row): a version of the
    catalogue's data, at the address that shows it so; it does not change, so no access day."""
    address = f"{reverse('outcomes:outcome', args=[row['slug']])}?release={release.number}"
    return {
        "id": f"record:{row['source']}:{row['reference']}:{release.number}",
        "type": "dataset",
        "title": f"{row['reference']}. {row['title']}",
        "author": [{"literal": CATALOGUE_EDITORS}],
        "container-title": CATALOGUE,
        "issued": date_parts(timezone.localdate(release.published)),
        "version": release.number,
        "URL": request.build_absolute_uri(address),
    }


def later_report_item(report):
    return {
        "id": f"later-report:{report.pk}",
        "type": "webpage",
        "title": report.title,
        "author": [{"literal": report.publisher}],
        "issued": date_parts(report.published),
        "accessed": _today(),
        "URL": report.url,
        "language": report.language,
    }


def catalogue_item(request, version):
    return {
        "id": "catalogue",
        "type": "dataset",
        "title": CATALOGUE,
        "author": [{"literal": CATALOGUE_EDITORS}],
        "issued": date_parts(version.changed.date()),
        "accessed": _today(),
        "version": str(version.number),
        "URL": _home(request),
    }


def release_item(request, release):
    """A release of the catalogue: a version of the data set that never changes (no access
    day), at its DOI once one is minted, else at its page."""
    page = request.build_absolute_uri(release.get_absolute_url())
    return {
        "id": f"release:{release.number}",
        "type": "dataset",
        "title": CATALOGUE,
        "author": [{"literal": CATALOGUE_EDITORS}],
        "issued": date_parts(timezone.localdate(release.published)),
        "version": release.number,
        "DOI": release.doi or None,
        "URL": f"https://doi.org/{release.doi}" if release.doi else page,
    }


# Citations are English text (the styles' own words: "Retrieved", "Last modified").
MONTHS = "January February March April May June July August September October November December"


def _day(item, key):
    parts = ((item.get(key) or {}).get("date-parts") or [[]])[0]
    return parts if len(parts) == 3 else None


def _spelled(parts, year=True):
    text = f"{MONTHS.split()[parts[1] - 1]} {parts[2]}"
    return f"{text}, {parts[0]}" if year else text


def _iso(parts):
    return "-".join(f"{part:02d}" for part in parts)


def _end(text):
    return text if text.endswith((".", "?", "!")) else f"{text}."


def _parts(item):
    values = {
        key: escape(value) if isinstance(value, str) else value for key, value in item.items()
    }
    values["author"] = escape(item["author"][0]["literal"]) if item.get("author") else ""
    return values


# APA 7: "Spell out the full name of a group author" (the Publication Manual, 9.11): its
# abbreviation is for the text's citations, not the reference list.
ABBREVIATION = re.compile(r"\s*\([A-Z]{2,}\)$")


def apa(item):
    """APA 7 (Publication Manual, ch. 9-10); "Retrieved …, from URL" for a changing page (9.16)."""
    value = _parts(item)
    author = ABBREVIATION.sub("", value["author"])
    issued = _day(item, "issued")
    dataset = item["type"] == "dataset"
    if issued is None:
        when = "n.d."
    else:  # a web page: year, month and day (9.14); a data set: the year (10.9)
        when = str(issued[0]) if dataset else f"{issued[0]}, {_spelled(issued, year=False)}"
    title = f"<i>{value['title']}</i>"
    if "number" in value:  # a report's number, in parentheses after the title (9.27)
        title += f" (Item {value['number']})"
    if "version" in value:  # as a software's or a data set's version (10.10)
        title += f" ({'Version' if dataset else 'Revision'} {value['version']})"
    if dataset:
        title += " [Data set]"
    parts = [_end(author), f"({when}).", _end(title)]
    site = value.get("container-title", "")
    if site and site != author:  # a site named like its author is not repeated (9.25)
        parts.append(_end(site))
    if "URL" in value:
        accessed = _day(item, "accessed")
        changing = "version" in value and accessed
        parts.append(
            f"Retrieved {_spelled(accessed)}, from {value['URL']}" if changing else value["URL"]
        )
    return mark_safe(" ".join(parts))  # noqa: S308 (values escaped)


# Chicago: words lowercase in a headline-style title unless first or last (CMOS 8.159).
MINOR = {
    "a", "an", "the", "and", "but", "for", "or", "nor", "as", "at", "by", "from", "in", "into",
    "of", "off", "on", "onto", "out", "over", "per", "to", "up", "via", "with", "along",
    "among", "upon",
}  # fmt: skip
# Prefixes that cannot stand alone: the word after one stays lowercase (CMOS 8.161).
PREFIXES = {"co", "anti", "pre", "non", "re", "post", "multi", "inter", "sub", "un"}
CJK = re.compile(r"[\u3000-\u9fff\uff00-\uffef]")


def headline(title):
    """Headline style (CMOS 8.159, compounds 8.161); words with capitals of their own kept."""
    if CJK.search(title):
        return title
    words = title.split(" ")

    def capital(word, first):
        parts = word.split("-")
        for number, part in enumerate(parts):
            after_prefix = number > 0 and parts[number - 1].lower() in PREFIXES
            minor = (part.lower() in MINOR or after_prefix) and not (first and number == 0)
            if part and part.islower() and not minor:
                parts[number] = part[0].upper() + part[1:]
        return "-".join(parts)

    return " ".join(
        capital(word, position in (0, len(words) - 1) or words[position - 1].endswith(":"))
        for position, word in enumerate(words)
    )


def chicago(item):
    """Chicago author-date (CMOS 17th ed., 15.9, 15.51 web pages, 14.268 data)."""
    value = _parts(item)
    issued = _day(item, "issued")
    # A page of a site in quotation marks, the stop within, marks within it single (CMOS
    # 6.11); a document or a data set standing alone in italics.
    title = headline(value["title"])
    title = quoted(_end(title)) if item["type"] == "webpage" else f"<i>{title}</i>."
    parts = [_end(value["author"]), f"{issued[0] if issued else 'n.d.'}.", title]
    if "number" in value:
        parts.append(f"Item {value['number']}.")
    if "version" in value:
        parts.append(
            f"{'Version' if item['type'] == 'dataset' else 'Revision'} {value['version']}."
        )
    if value.get("container-title"):
        parts.append(_end(value["container-title"]))
    if issued:  # a page that changes gives its last change (15.51)
        parts.append(f"{'Last modified ' if 'version' in value else ''}{_spelled(issued)}.")
    if "URL" in value:
        parts.append(f"{value['URL']}.")
    return mark_safe(" ".join(parts))  # noqa: S308 (values escaped)


def gbt7714(item):
    """GB/T 7714-2015, author-date (9.2; electronic resources 4.9, 8.8): an institutional
    author as written (the standard's "World Health Organization"), never capitalized."""
    value = _parts(item)
    issued, accessed = _day(item, "issued"), _day(item, "accessed")
    title = value["title"]
    if "number" in value:
        title += f": item {value['number']}"
    if "version" in value:
        title += f": {'version' if item['type'] == 'dataset' else 'revision'} {value['version']}"
    mark = "DB/OL" if item["type"] == "dataset" else "EB/OL"
    year = issued[0] if issued else "[出版年不详]"
    parts = [f"{value['author']}, {year}.", f"{title}[{mark}]."]
    dates = (f"({_iso(issued)})" if issued else "") + (f"[{_iso(accessed)}]" if accessed else "")
    if dates:
        parts.append(f"{dates}.")
    if "URL" in value:
        parts.append(f"{value['URL']}.")
    return mark_safe(" ".join(parts))  # noqa: S308 (values escaped)


STYLES = (("APA", apa), ("Chicago (author-date)", chicago), ("GB/T 7714-2015", gbt7714))


def rendered(items, labels=()):
    """[(style label, [(the item's label or "", its HTML)])], the items in order."""
    named = list(labels) + [""] * (len(items) - len(labels))
    return [
        (label, [(name, write(_clean(item))) for name, item in zip(named, items, strict=True)])
        for label, write in STYLES
    ]


def _values(item, separator, text):
    """An item's values, in the order NAMES names them: `text` writes one in the
    format's way, on one line; a date's parts are joined by `separator`."""
    issued, accessed = _day(item, "issued"), _day(item, "accessed")
    return (
        text(item.get("title")),
        text(f"Item {item['number']}") if item.get("number") else None,
        [text(author["literal"]) for author in item.get("author", [])],
        str(issued[0]) if issued else None,
        separator.join(f"{part:02d}" for part in issued or ()),
        item.get("URL"),
        separator.join(f"{part:02d}" for part in accessed or ()),
        item.get("version"),
        text(item.get("container-title") or item.get("publisher")),
    )


# The fields _values gives: biblatex's name -> RIS's.
NAMES = {
    "title": "title",
    "titleaddon": "section",
    "author": "authors",
    "year": "year",
    "date": "date",
    "url": "urls",
    "urldate": "access_date",
    "version": "edition",
    "organization": "publisher",
}

# biblatex reads UTF-8: only the characters special to LaTeX are written as commands.
LATEX = {
    "\\": r"\textbackslash{}", "{": r"\{", "}": r"\}", "&": r"\&", "%": r"\%", "#": r"\#",
    "_": r"\_", "$": r"\$", "^": r"\^{}", "~": r"\~{}",
}  # fmt: skip


def _latex(value):
    return "".join(LATEX.get(character, character) for character in _line(value)) if value else None


def bibtex(items):
    library = bibtexparser.Library()
    for item in items:
        fields = dict(zip(NAMES, _values(item, "-", _latex), strict=True))
        # A body's name in braces: BibTeX does not split it into given and family names.
        fields["author"] = "{" + fields["author"][0] + "}" if fields["author"] else None
        key = item["id"].replace(":", "-").replace(".", "-")
        entry_fields = [Field(name, value) for name, value in _clean(fields).items()]
        library.add(Entry("dataset" if item["type"] == "dataset" else "online", key, entry_fields))
    return bibtexparser.write_string(library)


def _line(value):
    """A value on one line (in RIS a line break would start a new tag, or a new record)."""
    return " ".join(str(value).split()) if value else None


def ris(items):
    entries = []
    for item in items:
        entry = dict(zip(NAMES.values(), _values(item, "/", _line), strict=True))
        # Like authors, urls are a list to rispy: a line for each value.
        entry["urls"] = [entry["urls"]] if entry["urls"] else None
        entry.update(
            type_of_reference="DATA" if item["type"] == "dataset" else "ELEC", id=item["id"]
        )
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


def catalogue_schema(request, version, sources, distributions, coverage=None, release=None):
    """The catalogue as a schema.org Dataset (what Google Dataset Search reads).
    `distributions`: [(name, address, media type)]; `coverage`: (first day, last day,
    [country names]) of what it holds; `release`: a Release it describes instead of today."""
    first, last, countries = coverage or (None, None, ())
    schema = {
        "@context": "https://schema.org",
        "@type": "Dataset",
        "name": f"{CATALOGUE}, release {release.number}" if release else CATALOGUE,
        "description": "The cooperation outcomes of SIRONET member organizations, "
        "with the organizations, places, groupings, figures and programmes each names.",
        "url": request.build_absolute_uri(release.get_absolute_url())
        if release
        else _home(request),
        "identifier": f"https://doi.org/{release.doi}" if release and release.doi else None,
        "license": LICENSE,
        "creator": {"@type": "Organization", "name": CATALOGUE_EDITORS},
        "publisher": {"@type": "Organization", "name": CATALOGUE_EDITORS},
        "version": release.number if release else str(version.number),
        "datePublished": release.published.isoformat(timespec="seconds") if release else None,
        "dateModified": version.changed.isoformat(timespec="seconds") if version else None,
        "temporalCoverage": f"{first.isoformat()}/{last.isoformat()}" if first and last else None,
        "spatialCoverage": [{"@type": "Country", "name": name} for name in countries],
        "isBasedOn": [source_schema(source) for source in sources],
        "citation": [source_schema(source) for source in sources],
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
    return _clean(schema)


def outcome_schema(outcome, request):
    schema = {
        "@context": "https://schema.org",
        "@type": "CreativeWork",
        "name": outcome.title,
        "identifier": f"{outcome.source.slug}/{outcome.reference}",
        "url": request.build_absolute_uri(outcome.get_absolute_url()),
        "text": outcome.text,
        "version": str(outcome.revision),
        "dateModified": outcome.last_changed.isoformat(timespec="seconds"),
        "isPartOf": {"@type": "Dataset", "name": CATALOGUE, "url": _home(request)},
        "license": LICENSE,
        "citation": source_schema(outcome.source),
        "about": [
            {"@type": "Country", "name": country.name} for country in outcome.countries.all()
        ],
    }
    return _clean(schema)
