"""The catalogue's tables, one module per concern (docs/architecture.md), all named here."""

# ruff: noqa: F401 -- the names are imported to be re-exported

from outcomes.models.base import (
    CatalogueQuerySet,
    chinese_page,
    in_page_language,
    in_page_order,
    localized,
    ordered,
    rows_updated,
    rows_updating,
    shown_name,
    sort_name,
    unreviewed_mark,
)
from outcomes.models.bookkeeping import DataVersion, SeedRecord, VersionLog
from outcomes.models.later import LaterReport, LaterSearch, Reading, ReportFigure
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
from outcomes.models.releases import Release
from outcomes.models.sources import Category, Source, document_position
