"""The catalogue's data: what the SIRONET documents say, in tables.

An Outcome is one numbered item of a Source document ("I.1" … "V.8"). It belongs to a
Category (the document's sections), names Organizations through Participations (lead or
partner, in the order written), reaches Countries and Regions, and may give Figures
(money and counts) and named Programmes. One module per concern; this package names
them all, as Django expects of an app's models."""

# ruff: noqa: F401 -- the names are imported to be re-exported

from outcomes.models.base import (
    CatalogueQuerySet,
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
from outcomes.models.outcomes import DOCUMENT_ORDER, Outcome, OutcomeQuerySet, Status
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
from outcomes.models.sources import Category, Source, document_position
