"""The admin's import and export: the columns an editor's file round-trips, rows matched on
natural keys (docs/editors.md, "Import and export")."""

import re
from functools import cached_property
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db.models import Prefetch, QuerySet
from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets
from import_export.instance_loaders import ModelInstanceLoader
from import_export.results import Result

from outcomes.history import OUTCOME_PARTS, with_row_changes
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
from outcomes.record import Context, escape_formula, unescape_formula


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


def entries(cell):
    return [part.strip() for part in str(cell or "").split(SEPARATOR) if part.strip()]


# One entry of a cell of linked records: “slug (kind)”, e.g. “cfpd (lead)”, “asean (members)”.
LINK_RE = re.compile(r"^(?P<slug>[-\w]+)\s*(?:\((?P<kind>[^)]*)\))?$")


class KnownRecords:
    """The records a widget names, read once per import (each import's Resource copies its
    widgets): one query, not one per row."""

    model: Any
    field: str

    def __init__(self, model, field, label, **kwargs):
        super().__init__(model, field=field, **kwargs)  # type: ignore[call-arg]
        self.label = label

    @cached_property
    def known(self):
        return {str(getattr(obj, self.field)): obj for obj in self.model.objects.all()}


class StrictForeignKeyWidget(KnownRecords, widgets.ForeignKeyWidget):
    def clean(self, value, row=None, **kwargs):
        value = str(value or "").strip()
        if value and value not in self.known:
            raise ValueError(
                gettext("Unknown %(label)s “%(value)s”.") % {"label": self.label, "value": value}
            )
        return self.known[value] if value else None


class StrictManyToManyWidget(KnownRecords, widgets.ManyToManyWidget):
    def clean(self, value, row=None, **kwargs):
        wanted = list(dict.fromkeys(entries(value)))
        unknown = [part for part in wanted if part not in self.known]
        if unknown:
            raise ValueError(
                gettext("Unknown %(label)s: %(values)s.")
                % {"label": self.label, "values": ", ".join(sorted(unknown))}
            )
        return [self.known[part] for part in wanted]


class KeptLinks(QuerySet):
    """Links read with an import's rows, shared by their deep copies (each row's `original`)."""

    def __deepcopy__(self, memo):
        copied = self._chain()  # type: ignore[attr-defined]
        copied._result_cache = self._result_cache and list(self._result_cache)
        copied._prefetch_done = self._prefetch_done  # type: ignore[attr-defined]
        return copied


class LinkSetField(fields.Field):
    """A many-to-many column written only when it changes: import-export's `set()` reads it."""

    def save(self, instance, row, is_m2m=False, **kwargs):
        if is_m2m and not self.readonly:
            wanted = {record.pk for record in self.clean(row, **kwargs)}
            if wanted == {record.pk for record in getattr(instance, self.attribute).all()}:
                return
        super().save(instance, row, is_m2m=is_m2m, **kwargs)


class LinksWidget(KnownRecords, widgets.Widget):
    """Records named by slug with a kind, in order: “slug (kind);slug (kind)”, cleaned to
    a list of (record, kind). Without a `default` kind, each entry must give its own."""

    field = "slug"

    def __init__(self, model, choices, default, label, kind_label):
        widgets.Widget.__init__(self)  # KnownRecords' passes model and field on: not here
        self.model, self.choices, self.default = model, choices, default
        self.label, self.kind_label = label, kind_label

    def clean(self, value, row=None, **kwargs):
        parsed = []
        for entry in entries(value):
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
        unknown = [slug for slug in slugs if slug not in self.known]
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
            kind = kind or self.default
            if kind not in self.choices.values:
                known = ", ".join(self.choices.values)
                raise ValueError(
                    gettext(
                        "Unknown %(kind_label)s “%(kind)s” for “%(slug)s”: use one of %(known)s."
                    )
                    % {"kind_label": self.kind_label, "kind": kind, "slug": slug, "known": known}
                )
            links.append((self.known[slug], kind))
        return links


class LinkRowsField(fields.Field):
    """An outcome's `related` rows, each a `target` record and its `kind` (LinksWidget).
    No attribute: import-export leaves it to OutcomeResource.save_m2m."""

    def __init__(self, related, target, kind, widget):
        super().__init__(widget=widget)
        self.related, self.target, self.kind = related, target, kind

    def export(self, outcome, **kwargs):
        links = getattr(outcome, self.related).all()
        return SEPARATOR.join(
            f"{getattr(link, self.target).slug} ({getattr(link, self.kind)})" for link in links
        )

    def unchanged(self, outcome, wanted):
        current = [
            (getattr(link, f"{self.target}_id"), getattr(link, self.kind))
            for link in getattr(outcome, self.related).all()
        ]
        return current == [(record.pk, kind) for record, kind in wanted]

    def replace(self, outcome, wanted):
        manager = getattr(outcome, self.related)
        current = {getattr(link, f"{self.target}_id"): link for link in manager.all()}
        for position, (record, kind) in enumerate(wanted, 1):
            link = current.pop(record.pk, None) or manager.model(
                outcome=outcome, **{self.target: record}
            )
            changes = {self.kind: kind}
            if hasattr(link, "position"):
                changes["position"] = position
            if link.pk is None or any(getattr(link, k) != v for k, v in changes.items()):
                for name, value in changes.items():
                    setattr(link, name, value)
                link.save()
        for link in current.values():
            link.delete()


def row_messages(invalid_row):
    return [
        f"{field}: {message}"
        for field, messages in invalid_row.field_specific_errors.items()
        for message in messages
    ] + list(invalid_row.non_field_specific_errors)


class CachedRecordLoader(ModelInstanceLoader):
    """The file's records in one query, on every import id field (CachedInstanceLoader's one
    is not enough: an outcome's reference is unique within its source)."""

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

    def key(self, row):  # None for a value the catalogue does not know (its row says so)
        try:
            return tuple(field.clean(row) for field in self.key_fields)
        except ValueError:
            return None

    def get_instance(self, row):
        return self.records.get(self.key(row))


class FileLineResult(Result):
    """Rows numbered as a spreadsheet shows them: the header is row 1, the first record 2."""

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + 1, row, errors)


class ExportedDiff(resources.Diff):
    """An import preview's before and after, each cell as an export writes it (import-export's
    own skips dehydrate_ methods and the formulas' escape)."""

    def __init__(self, resource, instance, new):
        # Not import-export's __init__: it reads each cell its own way first.
        self.left, self.right, self.new = self.cells(resource, instance), [], new

    def compare_with(self, resource, instance):
        self.right = self.cells(resource, instance)

    @staticmethod
    def cells(resource, instance):
        # Nothing saved, or a read-only column (figures, url…: not imported): nothing to compare.
        saved = instance is not None and instance.pk is not None
        return [
            resource.export_field(field, instance) if saved and not field.readonly else ""
            for field in resource.get_import_fields()
        ]


class CatalogueResource(resources.ModelResource):
    """Rows validated like the admin's forms, many-valued cells checked before any is saved."""

    class Meta:
        instance_loader_class = CachedRecordLoader
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True

    # The rows whose changes are changes of their record, for the check since the preview.
    PARTS: tuple[str, ...] = ()

    def __init__(self, request=None, previewed=None, reason="", **kwargs):
        super().__init__(**kwargs)
        # previewed: when an editor confirms a preview, the time it was made (see admin.py);
        # reason: why, as the import form says it (history.change_reason).
        self.request, self.previewed, self.reason = request, previewed, reason

    def before_save_instance(self, instance, row, **kwargs):
        super().before_save_instance(instance, row, **kwargs)
        instance._change_reason = self.reason or None

    def before_import(self, dataset, **kwargs):
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

    def before_import_row(self, row, **kwargs):
        # Exports show a formula-like cell as text with a leading "'": read it back as it was.
        for column, value in row.items():
            row[column] = unescape_formula(value)
        super().before_import_row(row, **kwargs)

    @cached_property
    def changed(self):
        """{record id: its latest change, PARTS' included} since the preview: a query per kind
        of historical record, once per import."""
        model = self._meta.model
        parts = [model._meta.get_field(part) for part in self.PARTS]
        latest: dict[Any, Any] = {}
        for changed, key in [(model, "id"), *((p.related_model, p.field.attname) for p in parts)]:
            for record in changed.history.filter(history_date__gt=self.previewed).select_related(
                "history_user"
            ):
                pk = getattr(record, key)
                if pk not in latest or record.history_date > latest[pk].history_date:
                    latest[pk] = record
        return latest

    def import_instance(self, instance, row, **kwargs):
        errors: dict[str, Any] = {}
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
        # Many-valued cells, which import-export reads only when saving: checked now.
        instance.imported_links = {}  # {LinkRowsField: its (record, kind)s}
        for field in self.get_import_fields():
            links = isinstance(field, LinkRowsField)
            many = links or isinstance(field.widget, widgets.ManyToManyWidget)
            if not many or field.readonly or field.column_name not in row:
                continue
            try:
                cleaned = field.clean(row)
            except ValueError as error:
                errors[field.attribute or field.column_name] = ValidationError(str(error))
            else:
                if links:
                    instance.imported_links[field] = cleaned
        if errors:
            raise ValidationError(errors)

    def export_field(self, field, instance, **kwargs):
        # The admin's export, as the public downloads (record.cells), shows a formula as text.
        return escape_formula(super().export_field(field, instance, **kwargs))

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        # Not the fields saving works out, nor links just read (KnownRecords): no query.
        skipped = [
            field.name
            for field in instance._meta.fields
            if not field.editable
            or (field.many_to_one and getattr(instance, field.attname) is not None)
        ]
        try:
            instance.full_clean(exclude=[*errors, *skipped], validate_unique=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class OutcomeResource(CatalogueResource):
    source = fields.Field("source", widget=StrictForeignKeyWidget(Source, "slug", _("source slug")))
    category = fields.Field(
        "category", widget=StrictForeignKeyWidget(Category, "slug", _("category slug"))
    )
    countries = LinkSetField(
        "countries",
        widget=StrictManyToManyWidget(Country, "code", _("country codes"), separator=SEPARATOR),
    )
    # A reach's kind is a claim (each member reached, or no country): never guessed.
    regions = LinkRowsField(
        "reaches", "region", "kind", LinksWidget(Region, ReachKind, None, _("region"), _("reach"))
    )
    organizations = LinkRowsField(
        "participations",
        "organization",
        "role",
        LinksWidget(Organization, Role, Role.LEAD, _("organization"), _("role")),
    )
    figures = fields.Field(readonly=True)
    year = fields.Field("year", widget=WholeNumberWidget())
    url = fields.Field(readonly=True)
    updated = fields.Field("updated", readonly=True)

    class Meta:
        model = Outcome
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

    PARTS = OUTCOME_PARTS  # also edited on other admin pages

    def get_queryset(self):
        # Links read once for the whole file: the preview and the unchanged-row check use them.
        return Outcome.objects.select_related("source", "category").prefetch_related(
            Prefetch("countries", KeptLinks(Country)),
            Prefetch("participations", KeptLinks(Participation).select_related("organization")),
            Prefetch("reaches", KeptLinks(Reach).select_related("region")),
        )

    def skip_row(self, instance, original, row, import_validation_errors=None):
        return super().skip_row(instance, original, row, import_validation_errors) and all(
            field.unchanged(original, wanted) for field, wanted in instance.imported_links.items()
        )

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        changed = {
            field: wanted
            for field, wanted in instance.imported_links.items()
            if not field.unchanged(instance, wanted)
        }
        if changed:  # named on the outcome's history, as a form's changes are
            with with_row_changes(instance, [field.related for field in changed]):
                for field, wanted in changed.items():
                    field.replace(instance, wanted)
                    # What was read with the row is stale now: the preview shows what is saved.
                    getattr(instance, "_prefetched_objects_cache", {}).pop(field.related, None)

    def dehydrate_figures(self, outcome):
        return SEPARATOR.join(
            figure.display + (" (currency assumed)" if figure.currency_assumed else "")
            for figure in outcome.figures.all()
        )

    def dehydrate_url(self, outcome):
        return Context(self.request).absolute(outcome.get_absolute_url())

    def dehydrate_updated(self, outcome):
        return outcome.updated.isoformat(timespec="seconds")


class OrganizationResource(CatalogueResource):
    country = fields.Field(
        "country", widget=StrictForeignKeyWidget(Country, "code", _("country code"))
    )

    class Meta:
        model = Organization
        import_id_fields = ["slug"]
        fields = ["slug", "name", "acronym", "type", "country", "membership"]


class CountryResource(CatalogueResource):
    class Meta:
        model = Country
        import_id_fields = ["code"]
        fields = ["code", "name", "common_name", "numeric", "continent"]
