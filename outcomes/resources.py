"""django-import-export resources: the admin's import and export, one per model.

The public downloads show the outcome's public record (outcomes/record.py); these are
the columns an editor's file round-trips: slugs and codes, links with their kinds.

An import matches rows on natural keys (an outcome's reference, an organization's
slug, a country's ISO code), so importing a file twice updates rather than
duplicates. Related records are named by slug or code; a name the catalogue does
not know makes that row an error instead of being dropped silently.
"""

import re
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import Result

from outcomes.history import with_row_changes
from outcomes.models import (
    Category,
    Country,
    Organization,
    Outcome,
    Participation,
    Reach,
    ReachKind,
    Region,
    Role,
    Source,
)
from outcomes.record import escape_formula, unescape_formula

# The most rows one import takes: a preview and a confirmation each read them all.
MAX_IMPORT_ROWS = 2000


class WholeNumberWidget(widgets.IntegerWidget):
    """A whole number, or a plain message (import-export's says “ConversionSyntax”)."""

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except (ValueError, ArithmeticError):
            raise ValueError(
                gettext("“%(value)s” is not a whole number.") % {"value": value}
            ) from None


# Many-valued cells join values with this; no name, slug or code contains it.
SEPARATOR = ";"

# One entry of a cell of linked records: “slug (kind)”, e.g. “cfpd (lead)”, “asean (members)”.
LINK_RE = re.compile(r"^(?P<slug>[-\w]+)\s*(?:\((?P<kind>[^)]*)\))?$")


class KnownRecords:
    """The records a widget names, read once per import (one query, not one per row).

    Each import or export makes its own Resource, which copies its fields and their
    widgets: what a widget reads lasts one import.
    """

    model: Any
    field: str

    def known(self):
        if getattr(self, "_known", None) is None:
            self._known = {str(getattr(obj, self.field)): obj for obj in self.model.objects.all()}
        return self._known


class StrictForeignKeyWidget(KnownRecords, widgets.ForeignKeyWidget):
    """A foreign key named by slug or code; an unknown one is an error of the row."""

    def __init__(self, model, field, label):
        super().__init__(model, field=field)
        self.label = label

    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if not value:
            return None
        if value not in self.known():
            raise ValueError(
                gettext("Unknown %(label)s “%(value)s”.") % {"label": self.label, "value": value}
            )
        return self.known()[value]


class StrictManyToManyWidget(KnownRecords, widgets.ManyToManyWidget):
    """Slugs or codes joined by SEPARATOR; any unknown one is an error of the row."""

    def __init__(self, model, field, label):
        super().__init__(model, separator=SEPARATOR, field=field)
        self.label = label

    def clean(self, value, row=None, **kwargs):
        wanted = [part.strip() for part in str(value or "").split(self.separator)]
        wanted = list(dict.fromkeys(part for part in wanted if part))
        unknown = [part for part in wanted if part not in self.known()]
        if unknown:
            raise ValueError(
                gettext("Unknown %(label)s: %(values)s.")
                % {"label": self.label, "values": ", ".join(sorted(unknown))}
            )
        return [self.known()[part] for part in wanted]


class KeptLinks(QuerySet):
    """Links read with an import's rows, whose copies keep what was read.

    import-export compares each row with a deep copy of its record (`original`);
    a QuerySet's deep copy reads nothing but drops its results, so each row would
    read its links again, twice. The copy shares the link records: an import
    replaces links only after comparing (OutcomeResource.save_m2m).
    """

    def __deepcopy__(self, memo):
        copied = self._chain()  # type: ignore[attr-defined]
        copied._result_cache = self._result_cache and list(self._result_cache)
        copied._prefetch_done = self._prefetch_done  # type: ignore[attr-defined]
        return copied


class LinkSetField(fields.Field):
    """A many-to-many column (StrictManyToManyWidget) written only when it changes.

    import-export calls `set()` for every row, which reads the links again and drops
    the links read with the row (see OutcomeResource.get_queryset); an unchanged
    column now costs no query.
    """

    def save(self, instance, row, is_m2m=False, **kwargs):
        if is_m2m and not self.readonly:
            wanted = {record.pk for record in self.clean(row, **kwargs)}
            if wanted == {record.pk for record in getattr(instance, self.attribute).all()}:
                return
        super().save(instance, row, is_m2m=is_m2m, **kwargs)


class LinksWidget(KnownRecords, widgets.Widget):
    """Records named by slug with a kind, in order: “slug (kind);slug (kind)”.

    Cleans to a list of (record, kind). `default(record)` gives the kind when an
    entry leaves it out (without `default`, the kind must be given); an unknown
    slug or kind is an error of the row.
    """

    def __init__(self, model, choices, default, label, kind_label):
        super().__init__()
        self.model, self.choices, self.default = model, choices, default
        self.label, self.kind_label = label, kind_label
        self.field = "slug"

    def clean(self, value, row=None, **kwargs):
        entries = [part.strip() for part in str(value or "").split(SEPARATOR) if part.strip()]
        parsed = []
        for entry in entries:
            match = LINK_RE.match(entry)
            if not match:
                raise ValueError(
                    gettext("“%(entry)s” is not “%(label)s-slug (%(kind)s)”.")
                    % {"entry": entry, "label": self.label, "kind": self.kind_label}
                )
            parsed.append((match["slug"], (match["kind"] or "").strip()))
        slugs = [slug for slug, kind in parsed]
        if len(set(slugs)) != len(slugs):
            raise ValueError(gettext("An %(label)s is named twice.") % {"label": self.label})
        found = self.known()
        unknown = [slug for slug in slugs if slug not in found]
        if unknown:
            raise ValueError(
                gettext("Unknown %(label)s slugs: %(slugs)s.")
                % {"label": self.label, "slugs": ", ".join(unknown)}
            )
        links = []
        for slug, kind in parsed:
            if not kind and self.default is None:
                known = gettext(" or ").join(self.choices.values)
                raise ValueError(
                    gettext("Give the %(kind)s of “%(slug)s”: “%(slug)s (%(known)s)”.")
                    % {"kind": self.kind_label, "slug": slug, "known": known}
                )
            kind = kind or self.default(found[slug])
            if kind not in self.choices.values:
                known = ", ".join(self.choices.values)
                raise ValueError(
                    gettext(
                        "Unknown %(kind_label)s “%(kind)s” for “%(slug)s”: use one of %(known)s."
                    )
                    % {"kind_label": self.kind_label, "kind": kind, "slug": slug, "known": known}
                )
            links.append((found[slug], kind))
        return links


def row_messages(invalid_row):
    """“field: reason” for each error of an invalid row of an import's result."""
    return [
        f"{field}: {message}"
        for field, messages in invalid_row.field_specific_errors.items()
        for message in messages
    ] + list(invalid_row.non_field_specific_errors)


class CachedRecordLoader(ModelInstanceLoader):
    """The file's records, read in one query and matched on every import id field
    (import-export's CachedInstanceLoader takes one field; an outcome's reference is
    unique only within its source)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.key_fields = [
            self.resource.fields[name] for name in self.resource.get_import_id_fields()
        ]
        self.records = {}
        rows = self.dataset.dict
        if not rows or any(field.column_name not in rows[0] for field in self.key_fields):
            return  # every row is new (before_import refuses a file without its keys)
        wanted = [key for row in rows if (key := self.key(row)) is not None]
        narrowed = {
            f"{field.attribute}__in": {key[i] for key in wanted}
            for i, field in enumerate(self.key_fields)
        }
        for record in self.get_queryset().filter(**narrowed):
            self.records[tuple(field.get_value(record) for field in self.key_fields)] = record

    def key(self, row):
        """The row's key, or None when a value in it is not one the catalogue knows (the
        row's import then says which)."""
        try:
            return tuple(field.clean(row) for field in self.key_fields)
        except ValueError:
            return None

    def get_instance(self, row):
        key = self.key(row)
        return self.records.get(key) if key is not None else None


class FileLineResult(Result):
    """Rows numbered as in the file: the header is row 1, the first record row 2.

    import-export counts records from 1; an editor looks for the bad row in a
    spreadsheet, whose numbering includes the header.
    """

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + 1, row, errors)


class ExportedDiff(resources.Diff):
    """An import preview's before and after, each cell as an export writes it (with the
    resource's dehydrate_ methods): import-export's own reads only a field's attribute,
    so the cells of linked rows (organizations, regions) showed blank."""

    def __init__(self, resource, instance, new):
        # Not import-export's __init__: it reads each cell its own way first.
        self.left, self.right, self.new = self.cells(resource, instance), [], new

    def compare_with(self, resource, instance):
        self.right = self.cells(resource, instance)

    @staticmethod
    def cells(resource, instance):
        fields = resource.get_import_fields()
        if instance is None or instance.pk is None:  # nothing saved: nothing to show
            return ["" for _ in fields]
        # Read-only columns (figures, url…) are not imported: nothing to compare.
        return [
            "" if field.readonly else resource.export_field(field, instance) for field in fields
        ]


class CatalogueResource(resources.ModelResource):
    """What every import of the catalogue shares.

    Rows are validated like the admin's forms (the model's validators and clean()),
    with the fields that saving works out (positions, sort names…) left out; and
    many-valued cells are checked before anything is saved.
    """

    def __init__(self, request=None, previewed=None, **kwargs):
        super().__init__(**kwargs)
        self.request = request
        # When an editor confirms a preview: the time it was made (see admin.py).
        self.previewed = previewed

    def before_import(self, dataset, **kwargs):
        if len(dataset) > MAX_IMPORT_ROWS:
            raise ValueError(
                gettext(
                    "This file has %(rows)s rows; an import takes at most %(most)s. "
                    "Split it into smaller files."
                )
                % {"rows": f"{len(dataset):,}", "most": f"{MAX_IMPORT_ROWS:,}"}
            )
        keys = self.get_import_id_fields()
        missing = [name for name in keys if name not in dataset.headers]
        if missing:
            raise ValueError(
                gettext(
                    "This file has no “%(columns)s” column: %(keys)s say which record each "
                    "row is. Export the records first and edit that file."
                )
                % {
                    "columns": gettext("” or “").join(missing),
                    "keys": gettext(" and ").join(f"“{key}”" for key in keys),
                }
            )
        super().before_import(dataset, **kwargs)

    @classmethod
    def get_result_class(cls):
        return FileLineResult

    @classmethod
    def get_diff_class(cls):
        return ExportedDiff

    def checked_fields(self):
        """Fields cleaned in import_instance although import-export sets them only later."""
        return [
            field
            for field in self.get_import_fields()
            if isinstance(field.widget, widgets.ManyToManyWidget) and not field.readonly
        ]

    def before_import_row(self, row, **kwargs):
        # An export shows a formula-like cell as text with a leading "'": read it back
        # as it was, so that exporting and importing a file changes nothing.
        for column, value in row.items():
            row[column] = unescape_formula(value)
        super().before_import_row(row, **kwargs)

    # Historical records that say a row's record changed: (model, its field naming it).
    CHANGES: tuple[tuple[str, str], ...] = (("", "id"),)

    def changed_since(self, moment):
        """{record id: its latest change} for the records changed after `moment`.

        A query per kind of historical record, once per import (not one per row).
        """
        latest: dict[Any, Any] = {}
        for name, key in self.CHANGES:
            model = (
                self._meta.model
                if not name
                else self._meta.model._meta.get_field(name).related_model
            )
            if not hasattr(model, "history"):
                continue
            for record in model.history.filter(history_date__gt=moment).select_related(
                "history_user"
            ):
                pk = getattr(record, key)
                if pk not in latest or record.history_date > latest[pk].history_date:
                    latest[pk] = record
        return latest

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, Any] = {}
        if self.previewed and not hasattr(self, "changed"):
            self.changed = self.changed_since(self.previewed)
        latest = self.changed.get(instance.pk) if instance.pk and self.previewed else None
        if latest:
            errors[NON_FIELD_ERRORS] = ValidationError(
                gettext(
                    "changed by another editor since the preview (%(who)s, %(when)s). Nothing "
                    "was imported: import the file again to see a new preview."
                )
                % {
                    "who": latest.history_user or gettext("an import or a script"),
                    "when": f"{timezone.localtime(latest.history_date):%Y-%m-%d %H:%M}",
                }
            )
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for field in self.checked_fields():
            if field.column_name not in row:
                continue
            try:
                field.clean(row)
            except ValueError as error:
                errors[field.attribute or field.column_name] = ValidationError(str(error))
        if errors:
            raise ValidationError(errors)

    def export_field(self, field, instance, **kwargs):
        # The admin's export, as the public downloads (record.cells), shows a formula as text.
        return escape_formula(super().export_field(field, instance, **kwargs))

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        derived = [field.name for field in instance._meta.fields if not field.editable]
        # Links read from the database this request (KnownRecords): no query to check them.
        linked = [
            field.name
            for field in instance._meta.fields
            if field.many_to_one and getattr(instance, field.attname) is not None
        ]
        try:
            instance.full_clean(
                exclude=[*errors, *derived, *linked], validate_unique=validate_unique
            )
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class OutcomeResource(CatalogueResource):
    """One row per outcome, matched on its reference."""

    source = fields.Field(
        attribute="source",
        column_name="source",
        widget=StrictForeignKeyWidget(Source, field="slug", label=_("source slug")),
    )
    category = fields.Field(
        attribute="category",
        column_name="category",
        widget=StrictForeignKeyWidget(Category, field="slug", label=_("category slug")),
    )
    countries = LinkSetField(
        attribute="countries",
        column_name="countries",
        widget=StrictManyToManyWidget(Country, field="code", label=_("country codes")),
    )
    # No attribute: import_instance and save_m2m below read and write these (LINKS).
    regions = fields.Field(
        column_name="regions",
        # A reach's kind is a claim (each member reached, or no country): never guessed.
        widget=LinksWidget(Region, ReachKind, None, _("region"), _("reach")),
    )
    organizations = fields.Field(
        column_name="organizations",
        widget=LinksWidget(
            Organization, Role, lambda organization: Role.LEAD, _("organization"), _("role")
        ),
    )
    figures = fields.Field(column_name="figures", readonly=True)
    year = fields.Field(attribute="year", column_name="year", widget=WholeNumberWidget())
    url = fields.Field(column_name="url", readonly=True)
    updated = fields.Field(attribute="updated", column_name="updated", readonly=True)

    class Meta:
        model = Outcome
        instance_loader_class = CachedRecordLoader  # one query for all the rows
        # A reference is unique within its source only.
        import_id_fields = ["source", "reference"]
        fields = [
            "source",
            "reference",
            "category",
            "title",
            "slug",
            "status",
            "plans",
            "year",
            "scope",
            "text",
            "countries",
            "regions",
            "organizations",
            "figures",
            "url",
            "updated",
        ]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    # Of the outcome and of its rows, which other admin pages also edit.
    CHANGES = (
        ("", "id"),
        *((part, "outcome_id") for part in ("participations", "figures", "programmes")),
        *((part, "outcome_id") for part in ("reaches", "mentions")),
    )

    def get_queryset(self):
        # Rows are matched with their links, read once for the whole file: the
        # preview's before and after cells and the unchanged-row check read these.
        return Outcome.objects.select_related("source", "category").prefetch_related(
            Prefetch("countries", KeptLinks(Country)),
            Prefetch("participations", KeptLinks(Participation).select_related("organization")),
            Prefetch("reaches", KeptLinks(Reach).select_related("region")),
        )

    # Cells of linked rows: column -> (the outcome's related name, the linked record's
    # field, the kind's field). Importing one replaces the outcome's rows.
    LINKS = {
        "organizations": ("participations", "organization", "role"),
        "regions": ("reaches", "region", "kind"),
    }

    def import_instance(self, instance, row, **kwargs):
        instance.imported_links = {}
        errors: dict[str, Any] = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        for column in self.LINKS:
            if column in row:
                try:
                    instance.imported_links[column] = self.fields[column].clean(row)
                except ValueError as error:
                    errors[column] = ValidationError(str(error))
        if errors:
            raise ValidationError(errors)

    def current_links(self, outcome, column):
        related, target, kind = self.LINKS[column]
        return [
            (getattr(link, f"{target}_id"), getattr(link, kind))
            for link in getattr(outcome, related).all()
        ]

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        return all(
            [(record.pk, kind) for record, kind in wanted] == self.current_links(original, column)
            for column, wanted in instance.imported_links.items()
        )

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        changed = {
            column: wanted
            for column, wanted in instance.imported_links.items()
            if [(record.pk, kind) for record, kind in wanted]
            != self.current_links(instance, column)
        }
        if changed:  # named on the outcome's history, as a form's changes are
            with with_row_changes(instance, [self.LINKS[column][0] for column in changed]):
                for column, wanted in changed.items():
                    self.replace_links(instance, column, wanted)
                    # What was read with the row is stale now: the preview shows what is saved.
                    getattr(instance, "_prefetched_objects_cache", {}).pop(
                        self.LINKS[column][0], None
                    )

    def replace_links(self, outcome, column, wanted):
        """Make the outcome's rows of `column` the wanted ones, touching only what differs."""
        related, target, kind = self.LINKS[column]
        manager = getattr(outcome, related)
        current = {getattr(link, f"{target}_id"): link for link in manager.all()}
        for position, (record, wanted_kind) in enumerate(wanted, 1):
            link = current.pop(record.pk, None) or manager.model(
                outcome=outcome, **{target: record}
            )
            changes = {kind: wanted_kind}
            if hasattr(link, "position"):
                changes["position"] = position
            if link.pk is None or any(getattr(link, k) != v for k, v in changes.items()):
                for name, value in changes.items():
                    setattr(link, name, value)
                link.save()
        for link in current.values():
            link.delete()

    def dehydrate_organizations(self, outcome):
        return SEPARATOR.join(
            f"{p.organization.slug} ({p.role})" for p in outcome.participations.all()
        )

    def dehydrate_regions(self, outcome):
        return SEPARATOR.join(f"{r.region.slug} ({r.kind})" for r in outcome.reaches.all())

    def dehydrate_figures(self, outcome):
        return SEPARATOR.join(
            figure.display + (" (currency assumed)" if figure.currency_assumed else "")
            for figure in outcome.figures.all()
        )

    def dehydrate_url(self, outcome):
        url = outcome.get_absolute_url()
        return self.request.build_absolute_uri(url) if self.request else url

    def dehydrate_updated(self, outcome):
        return outcome.updated.isoformat(timespec="seconds")


class OrganizationResource(CatalogueResource):
    """One row per organization, matched on its slug."""

    country = fields.Field(
        attribute="country",
        column_name="country",
        widget=StrictForeignKeyWidget(Country, field="code", label=_("country code")),
    )

    class Meta:
        model = Organization
        instance_loader_class = CachedRecordLoader  # one query for all the rows
        import_id_fields = ["slug"]
        fields = ["slug", "name", "acronym", "type", "country", "membership"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class CountryResource(CatalogueResource):
    """One row per country, matched on its ISO code."""

    class Meta:
        model = Country
        instance_loader_class = CachedRecordLoader  # one query for all the rows
        import_id_fields = ["code"]
        fields = ["code", "name", "common_name", "numeric", "continent"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
