"""An outcome: one numbered item of a source document, and how outcomes are read."""

from django.contrib.postgres.search import SearchQuery, SearchRank
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connection, models
from django.db.models import OuterRef, Q, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from outcomes.history import LOADED
from outcomes.models.base import CatalogueQuerySet, Translated
from outcomes.models.later import LaterReport, LaterSearch, ReportFigure
from outcomes.models.organizations import Organization
from outcomes.models.parts import Figure, Mention, Participation, Programme, Reach
from outcomes.models.places import Country, Membership, Region
from outcomes.models.sources import (
    REFERENCE_RE,
    Category,
    Source,
    document_position,
    reference_validator,
)
from outcomes.search import FTS_QUERY, SEARCH_VECTOR, is_chinese, search_document, stem, terms


class Status(models.TextChoices):
    PLANNED = "planned", _("Planned")
    ONGOING = "ongoing", _("Ongoing")
    COMPLETED = "completed", _("Completed")
    UNKNOWN = "unknown", _("Unknown")


# Document order: by item, then (two sources may each have an I.3) by source.
DOCUMENT_ORDER = ["position", "source_id", "pk"]


class OutcomeQuerySet(CatalogueQuerySet):
    def in_document_order(self):
        return self.order_by(*DOCUMENT_ORDER)

    def with_later_reports(self):
        """With `reviewed_later_reports` (oldest first, with figures) and the searches for
        them: public code reads them only so, so that an unreviewed report never shows."""
        reviewed = LaterReport.objects.reviewed().prefetch_related("figures")
        return self.prefetch_related(
            models.Prefetch("later_reports", reviewed, to_attr="reviewed_later_reports"),
            "later_searches",
        )

    def with_revision(self):
        """With `revision`, the count of its historical records (loading it from its source
        is not a change), and `last_changed`, the latest's date."""
        history = (
            Outcome.history.model.objects.filter(id=OuterRef("pk"))
            .exclude(history_type="~", history_change_reason=LOADED)
            .order_by()
        )
        count = history.values("id").annotate(count=models.Count("history_id")).values("count")
        latest = history.order_by("-history_date").values("history_date")[:1]
        # One made without history (a bulk load) is at its first revision, of its own date.
        return self.annotate(
            revision=Coalesce(Subquery(count), 1),
            last_changed=Coalesce(Subquery(latest), "updated"),
        )

    def refresh_search_text(self):
        """Rebuild the search documents; returns how many changed. 250 at a time: SQLite
        refuses an IN of over 1,000 values, and 250 outcomes' organizations stay under."""
        ids = list(self.values_list("pk", flat=True))
        changed = 0
        for start in range(0, len(ids), 250):
            outcomes = (
                Outcome.objects.filter(pk__in=ids[start : start + 250])
                .select_related("category")
                .prefetch_related(
                    "participations__organization",
                    "countries",
                    "regions",
                    "programmes",
                    "mentions__country",
                    "mentions__region",
                )
            )
            refreshed = []
            for outcome in outcomes:
                document = outcome.build_search_text()
                if document != outcome.search_text:
                    outcome.search_text = document
                    refreshed.append(outcome)
            Outcome.objects.bulk_update(refreshed, ["search_text"], batch_size=200)
            changed += len(refreshed)
        return changed

    def search(self, query):
        """Outcomes matching every word of `query`; on PostgreSQL annotated with `rank`."""
        terms_ = terms(query)
        if not terms_:
            return self.none()
        # Chinese: wherever it appears in the document, the same LIKE on both databases.
        chinese = [Q(search_text__contains=term) for term in terms_ if is_chinese(term)]
        found = self.filter(*chinese)
        stems = [stem(term) for term in terms_ if not is_chinese(term)]
        if not stems:
            return found
        if connection.vendor == "postgresql":
            raw = " & ".join(f"{term}:*" for term in stems)
            tsquery = SearchQuery(raw, config="simple", search_type="raw")
            ranked = found.annotate(search=SEARCH_VECTOR, rank=SearchRank(SEARCH_VECTOR, tsquery))
            return ranked.filter(search=tsquery)
        # SQLite: the FTS5 index; "term"* matches words starting with it.
        match = " ".join(f'"{term}"*' for term in stems)
        return found.filter(pk__in=RawSQL(FTS_QUERY, [match]))

    def best_first(self):
        if "rank" in self.query.annotations:
            return self.order_by("-rank", *DOCUMENT_ORDER)
        return self

    def related_to(self, outcome):
        """Other outcomes that share an organization or a place with `outcome`."""
        places = Outcome.countries.through.objects
        organizations = outcome.participations.values("organization")
        countries = places.filter(outcome=outcome).values("country")
        return self.filter(
            Q(pk__in=Participation.objects.filter(organization__in=organizations).values("outcome"))
            | Q(pk__in=places.filter(country__in=countries).values("outcome"))
        ).exclude(pk=outcome.pk)

    def reaching(self, region, kind):
        return self.filter(reaches__region=region, reaches__kind=kind)

    def in_members_of(self, region, members):
        """Outcomes placed in one of `members` that do not name the grouping `region`."""
        return self.filter(countries__in=members).exclude(reaches__region=region).distinct()

    def changed_since(self, when):
        """Outcomes whose record may read differently since `when`, from the history of the
        outcome, its rows (deleted ones too) and the records it names; of a QuerySet.update(),
        which leaves no history, only the outcome's `updated` is seen. One query."""

        def history(model):
            return model.history.filter(history_date__gte=when)

        condition = Q(updated__gte=when) | Q(pk__in=history(Outcome).values("id"))
        for model in (Participation, Reach, Figure, Programme, Mention, LaterSearch):
            condition |= Q(pk__in=history(model).values("outcome_id"))
        condition |= Q(category__in=history(Category).values("id"))
        condition |= Q(source__in=history(Source).values("id"))
        organizations = history(Organization).values("id")
        participations = Participation.objects.filter(organization__in=organizations)
        condition |= Q(pk__in=participations.values("outcome_id"))
        regions = history(Region).values("id")
        memberships = history(Membership).values("region_id")
        reaches = Reach.objects.filter(Q(region__in=regions) | Q(region__in=memberships))
        condition |= Q(pk__in=reaches.values("outcome_id"))
        # Later reports: a report or its figures changed (reviewed, edited).
        reports = Q(laterreport__in=history(LaterReport).values("id"))
        reports |= Q(laterreport__in=history(ReportFigure).values("report_id"))
        links = LaterReport.outcomes.through.objects.filter(reports)
        condition |= Q(pk__in=links.values("outcome_id"))
        return self.filter(condition)

    def via_groupings(self, countries):
        """Outcomes that reach one of `countries` only through a grouping they name as a
        whole (not an unnamed part of it), a member as of each outcome's source's date."""
        reached = Reach.objects.through_members(countries).values("outcome_id")
        return self.filter(pk__in=reached).exclude(countries__in=countries)

    def with_record_rows(self):
        """Every row of their public record (outcomes/record.py): ten queries per 2,000."""
        prefetched = {
            "participations": Participation.objects.select_related("organization"),
            "countries": Country.objects.order_by("name"),
            "reaches": Reach.objects.select_related("region").order_by("region__name"),
            "mentions": Mention.objects.select_related("country", "region").order_by("pk"),
            "figures": Figure.objects.order_by("position"),
            "programmes": Programme.objects.order_by("position", "pk"),
        }
        return (
            self.select_related("category", "source")
            .prefetch_related(None)
            .prefetch_related(*(models.Prefetch(name, rows) for name, rows in prefetched.items()))
            .with_later_reports()
            .iterator(chunk_size=2000)
        )


class Outcome(Translated):
    source = models.ForeignKey(
        Source,
        verbose_name=_("source"),
        on_delete=models.PROTECT,
        related_name="outcomes",
        help_text=_("Where the item is published."),
    )
    reference = models.CharField(
        _("reference"),
        max_length=12,
        validators=[reference_validator],
        help_text=_(
            "The document's numbering: section numeral, a dot, item number (“II.10”). "
            "Unique within its source: another document may have its own II.10."
        ),
    )
    position = models.PositiveIntegerField(
        _("position"),
        editable=False,
        db_index=True,  # the default order of every list: ORDER BY position
        help_text=_("Document order, worked out from the reference when saved."),
    )
    category = models.ForeignKey(
        Category, verbose_name=_("category"), on_delete=models.PROTECT, related_name="outcomes"
    )
    title = models.CharField(
        _("title"),
        max_length=200,
        help_text=_("A short title of our own. It must say nothing the text does not say."),
    )
    slug = models.SlugField(
        _("slug"),
        max_length=200,
        unique=True,
        help_text=_("Used in addresses: /outcomes/<slug>/. Changing it breaks old links."),
    )
    title_zh = models.CharField(_("title in Chinese"), max_length=200, blank=True)
    text = models.TextField(
        _("text"), help_text=_("The item's text exactly as the document prints it.")
    )
    text_zh = models.TextField(
        _("text in Chinese"),
        blank=True,
        help_text=_(
            "A Chinese rendering of the text. Pages always show the English text "
            "as the source, and this beside it, labelled a translation."
        ),
    )

    CHINESE = ("title", "text")
    status = models.CharField(
        _("status"),
        max_length=10,
        choices=Status,
        default=Status.UNKNOWN,
        help_text=_(
            "From the text's verbs, by the rules on the about page: “plans to” is "
            "planned; a launched or founded programme or body, or a present tense, is ongoing; "
            "a finished act is completed."
        ),
    )
    plans = models.CharField(
        _("plans"),
        max_length=300,
        blank=True,
        help_text=_(
            "What the text says is planned or only advocated, in its words, when the "
            "item also reports something done (its status is that of what was done)."
        ),
    )
    reading_note = models.TextField(
        _("editor’s note on the reading"),
        blank=True,
        help_text=_(
            "Where reading the text is a judgement (a present tense beside a past one, an "
            "aim beside a result), what the catalogue decided and why."
        ),
    )
    year = models.PositiveSmallIntegerField(
        _("year"),
        null=True,
        blank=True,
        validators=[MinValueValidator(1900), MaxValueValidator(2100)],
        help_text=_("Only where the text states a year (e.g. “founded in 2016”)."),
    )
    scope = models.CharField(
        _("scope"),
        max_length=300,
        blank=True,
        help_text=_(
            "Reach the text gives without naming countries, in its words "
            "(e.g. “more than 20 Asian and African countries”)."
        ),
    )
    countries = models.ManyToManyField(
        Country,
        blank=True,
        related_name="outcomes",
        verbose_name=_("places"),
        help_text=_(
            "Countries where the text says the work happens, or that it names as the "
            "other side of the cooperation. Other countries it names are mentions."
        ),
    )
    regions: "models.ManyToManyField[Region, Reach]" = models.ManyToManyField(
        Region,
        verbose_name=_("regions"),
        through="Reach",
        blank=True,
        related_name="outcomes",
        help_text=_("Groupings the text says the work reaches."),
    )
    organizations: "models.ManyToManyField[Organization, Participation]" = models.ManyToManyField(
        Organization,
        verbose_name=_("organizations"),
        through="Participation",
        related_name="outcomes",
    )
    search_text = models.TextField(
        _("search text"),
        editable=False,
        default="",
        help_text=_("Words of the title, text and related names, kept up to date for search."),
    )
    created = models.DateTimeField(_("created"), auto_now_add=True)
    updated = models.DateTimeField(_("updated"), auto_now=True)

    _history_m2m_fields = [countries]  # its history records the places, too

    objects = OutcomeQuerySet.as_manager()
    NATURAL_KEY = ("source__slug", "reference")

    class Meta:
        ordering = DOCUMENT_ORDER
        verbose_name = _("outcome")
        verbose_name_plural = _("outcomes")
        constraints = [
            models.UniqueConstraint(
                fields=["source", "reference"], name="outcome_reference_unique_in_source"
            ),
            models.CheckConstraint(
                condition=Q(year__isnull=True) | Q(year__gte=1900, year__lte=2100),
                name="outcome_year_plausible",
            ),
        ]
        indexes = [
            # ?category=…, and category pages, in document order.
            models.Index(fields=["category", "position"], name="outcome_category_position"),
            # ?status=…, in document order.
            models.Index(fields=["status", "position"], name="outcome_status_position"),
            # ?sort=title and ?sort=-updated.
            models.Index(fields=["title"], name="outcome_title"),
            models.Index(fields=["updated"], name="outcome_updated"),
        ]

    @property
    def last_searched(self):
        return max((search.searched for search in self.later_searches.all()), default=None)

    def __str__(self):
        return f"{self.reference} {self.title}"

    def save(self, *args, **kwargs):
        self.position = document_position(self.reference) or self.position
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        return reverse("outcomes:outcome", args=[self.slug])

    def clean(self):
        match = REFERENCE_RE.match(self.reference or "")
        if match and self.category_id and match["numeral"] != self.category.numeral:
            message = _(
                "%(reference)s starts with %(numeral)s, but %(category)s is section %(section)s."
            )
            params = {"reference": self.reference, "numeral": match["numeral"]}
            params |= {"category": self.category, "section": self.category.numeral}
            raise ValidationError({"reference": message % params})

    def build_search_text(self):
        """Expects the relations prefetched (refresh_search_text)."""
        organizations = [p.organization for p in self.participations.all()]
        return search_document(
            self.reference,
            self.title,
            self.title_zh,
            self.text,
            self.text_zh,
            self.scope,
            self.category.name,
            self.category.name_zh,
            *(f"{p.name} {p.name_zh}" for p in self.programmes.all()),
            *(f"{o.name} {o.acronym} {o.name_zh} {o.aliases}" for o in organizations),
            *(f"{c.name} {c.common_name} {c.name_zh} {c.aliases}" for c in self.countries.all()),
            *(f"{region.name} {region.name_zh}" for region in self.regions.all()),
            *(str(mention) for mention in self.mentions.all()),
        )

    @property
    def item_number(self):
        return self.reference.partition(".")[2]
