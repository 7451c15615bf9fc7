"""The countries and regions a sentence names: a scan for the claims tests.

The words come from ISO data (pycountry) plus the adjectives and abbreviations
texts use; tests/rules/test_claims.py checks that each country or region an item names
is a place, a reach or a listed mention of it. It suggests links; it never
decides them. Only the tests use it.
"""

import re
from functools import cache

import pycountry

# Adjectives and abbreviations texts use for countries. ISO data has names only.
COUNTRY_ALIASES = {
    "Afghan": "AF",
    "Bangladeshi": "BD",
    "Burma": "MM",
    "Burmese": "MM",
    "Cambodian": "KH",
    "Chinese": "CN",
    "DPRK": "KP",
    "Egyptian": "EG",
    "Ethiopian": "ET",
    "Filipino": "PH",
    "French": "FR",
    "German": "DE",
    "Greek": "GR",
    "Indian": "IN",
    "Indonesian": "ID",
    "Iranian": "IR",
    "Italian": "IT",
    "Japanese": "JP",
    "Kazakh": "KZ",
    "Kenyan": "KE",
    "Kyrgyz": "KG",
    "Laotian": "LA",
    "Malaysian": "MY",
    "Mongolian": "MN",
    "Nepalese": "NP",
    "Nepali": "NP",
    "Pakistani": "PK",
    "Philippine": "PH",
    "Polish": "PL",
    "PRC": "CN",
    "ROK": "KR",
    "Russia": "RU",
    "Russian": "RU",
    "Serbian": "RS",
    "Singaporean": "SG",
    "Sri Lankan": "LK",
    "Sudanese": "SD",
    "Tajik": "TJ",
    "Tanzanian": "TZ",
    "Thai": "TH",
    "Turkey": "TR",
    "Turkish": "TR",
    "UAE": "AE",
    "UK": "GB",
    "Uzbek": "UZ",
    "Vietnamese": "VN",
}

# Words that name a region, longest first where one contains another
# ("Southeast Asian" is not also "Asian").
REGION_TERMS = {
    "Association of Southeast Asian Nations": "asean",
    "ASEAN": "asean",
    "Shanghai Cooperation Organization": "shanghai-cooperation-organization",
    "SCO": "shanghai-cooperation-organization",
    "Lancang-Mekong": "mekong",
    "Mekong": "mekong",
    "Central and Eastern European": "china-ceec",
    "Central and Eastern Europe": "china-ceec",
    "CEEC": "china-ceec",
    "Southeast Asian": "southeast-asia",
    "Southeast Asia": "southeast-asia",
    "Arab": "arab-states",
    "Asian": "asia",
    "Asia": "asia",
    "African": "africa",
    "Africa": "africa",
    "European": "europe",
    "Europe": "europe",
}


@cache
def country_words():
    """Every word or phrase that names a country, mapped to its ISO code."""
    words = {}
    names = {}
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            if name := getattr(country, attr, None):
                words[name] = country.alpha_2
        # "Tanzania, United Republic of" is called "Tanzania", when that is unambiguous.
        short = country.name.split(",")[0]
        names.setdefault(short, set()).add(country.alpha_2)
    for short, codes in names.items():
        if len(codes) == 1:
            words.setdefault(short, next(iter(codes)))
    words.update(COUNTRY_ALIASES)
    return words


def _pattern(words):
    alternatives = sorted(words, key=len, reverse=True)
    return re.compile(r"(?<!\w)(?:" + "|".join(map(re.escape, alternatives)) + r")(?!\w)")


@cache
def _country_pattern():
    return _pattern(country_words())


@cache
def _region_pattern():
    return _pattern(REGION_TERMS)


def _mask(text, phrases):
    for phrase in sorted(phrases, key=len, reverse=True):
        if phrase:
            text = text.replace(phrase, " ")
    return text


def countries_named_in(text, ignore=()):
    """ISO codes of the countries `text` names, leaving out the phrases in `ignore`.

    `ignore` takes names that mention a country without pointing at it, such as
    a Chinese organization's own name ("China Law Society").
    """
    text = _mask(text, ignore)
    words = country_words()
    return {words[match] for match in _country_pattern().findall(text)}


def regions_named_in(text, ignore=()):
    """Slugs of the regions `text` names (see REGION_TERMS)."""
    text = _mask(text, ignore)
    return {REGION_TERMS[match] for match in _region_pattern().findall(text)}
