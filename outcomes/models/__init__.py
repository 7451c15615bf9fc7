"""The catalogue's data: what the SIRONET documents say, in tables.

An Outcome is one numbered item of a Source document ("I.1" … "V.8"). It belongs to a
Category (the document's sections), names Organizations through Participations (lead or
partner, in the order written), reaches Countries and Regions, and may give Figures
(money and counts) and named Programmes. One module per concern; this package names
them all, as Django expects of an app's models.
"""

from outcomes.models.base import (
    CatalogueQuerySet,
    SlugQuerySet,
    Translated,
    chinese_page,
    in_page_language,
    localized,
    rows_updated,
    rows_updating,
    sort_name,
)
from outcomes.models.bookkeeping import DataVersion, SeedRecord, VersionLog
from outcomes.models.organizations import Organization, OrganizationType, SironetMembership
from outcomes.models.outcomes import (
    DOCUMENT_ORDER,
    Outcome,
    OutcomeQuerySet,
    Status,
)
from outcomes.models.parts import (
    Figure,
    FigureKind,
    Mention,
    MentionReason,
    Participation,
    Programme,
    Qualifier,
    Reach,
    ReachKind,
    Role,
)
from outcomes.models.places import Continent, Country, Membership, Region, RegionKind
from outcomes.models.sources import (
    REFERENCE_RE,
    ROMAN_NUMERALS,
    Category,
    Source,
    document_position,
    reference_validator,
)

__all__ = [
    "DOCUMENT_ORDER",
    "REFERENCE_RE",
    "ROMAN_NUMERALS",
    "CatalogueQuerySet",
    "Category",
    "Continent",
    "Country",
    "DataVersion",
    "Figure",
    "FigureKind",
    "Membership",
    "Mention",
    "MentionReason",
    "Organization",
    "OrganizationType",
    "Outcome",
    "OutcomeQuerySet",
    "Participation",
    "Programme",
    "Qualifier",
    "Reach",
    "ReachKind",
    "Region",
    "RegionKind",
    "Role",
    "SeedRecord",
    "SironetMembership",
    "SlugQuerySet",
    "Source",
    "Status",
    "Translated",
    "VersionLog",
    "chinese_page",
    "document_position",
    "in_page_language",
    "localized",
    "reference_validator",
    "rows_updated",
    "rows_updating",
    "sort_name",
]
