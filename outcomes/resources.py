"""django-import-export resources: one per model, shared by the admin and the public exports.

An import matches rows on natural keys (an outcome's reference, an organization's
slug, a country's ISO code), so importing a file twice updates rather than
duplicates. Related records are named by slug or code; a name the catalogue does
not know makes that row an error instead of being dropped silently.
"""

import re

from django.core.exceptions import ValidationError
from import_export import fields, resources, widgets
from import_export.results import Result

from outcomes.models import (
    Category,
    Country,
    Organization,
    Outcome,
    Participation,
    Region,
    Role,
    Source,
)

# Many-valued cells join values with this; no name, slug or code contains it.
SEPARATOR = ";"

# One entry of an outcome's “organizations” cell: “slug (role)”.
PARTICIPATION_RE = re.compile(r"^(?P<slug>[-\w]+)\s*(?:\((?P<role>[^)]*)\))?$")


class StrictForeignKeyWidget(widgets.ForeignKeyWidget):
    """A foreign key named by slug or code; an unknown one is an error of the row."""

    def __init__(self, model, field, label):
        super().__init__(model, field=field)
        self.label = label

    def clean(self, value, row=None, **kwargs):
        try:
            return super().clean(value, row, **kwargs)
        except self.model.DoesNotExist:
            raise ValueError(f"Unknown {self.label} “{value}”.") from None


class StrictManyToManyWidget(widgets.ManyToManyWidget):
    """Slugs or codes joined by SEPARATOR; any unknown one is an error of the row."""

    def __init__(self, model, field, label):
        super().__init__(model, separator=SEPARATOR, field=field)
        self.label = label

    def clean(self, value, row=None, **kwargs):
        found = super().clean(value, row, **kwargs)
        wanted = {part.strip() for part in str(value or "").split(self.separator)} - {""}
        unknown = wanted - {str(getattr(obj, self.field)) for obj in found}
        if unknown:
            raise ValueError(f"Unknown {self.label}: {', '.join(sorted(unknown))}.")
        return found


class ParticipationsWidget(widgets.Widget):
    """An outcome's organizations in the order named: “slug (role);slug (role)”.

    Cleans to a list of (organization, role); the role may be left out (lead).
    """

    def clean(self, value, row=None, **kwargs):
        entries = [part.strip() for part in str(value or "").split(SEPARATOR) if part.strip()]
        parsed = []
        for entry in entries:
            match = PARTICIPATION_RE.match(entry)
            if not match:
                raise ValueError(f"“{entry}” is not “organization-slug (role)”.")
            role = (match["role"] or Role.LEAD).strip()
            if role not in Role.values:
                raise ValueError(f"Unknown role “{role}” in “{entry}”: use lead or partner.")
            parsed.append((match["slug"], role))
        slugs = [slug for slug, _ in parsed]
        if len(set(slugs)) != len(slugs):
            raise ValueError("An organization is named twice.")
        organizations = Organization.objects.in_bulk(slugs, field_name="slug")
        unknown = [slug for slug in slugs if slug not in organizations]
        if unknown:
            raise ValueError(f"Unknown organization slugs: {', '.join(unknown)}.")
        return [(organizations[slug], role) for slug, role in parsed]


class FileLineResult(Result):
    """Rows numbered as in the file: the header is row 1, the first record row 2.

    import-export counts records from 1; an editor looks for the bad row in a
    spreadsheet, whose numbering includes the header.
    """

    def append_invalid_row(self, number, row, validation_error):
        super().append_invalid_row(number + 1, row, validation_error)

    def append_error_row(self, number, row, errors):
        super().append_error_row(number + 1, row, errors)


class CatalogueResource(resources.ModelResource):
    """What every import of the catalogue shares.

    Rows are validated like the admin's forms (the model's validators and clean()),
    with the fields that saving works out (positions, sort names…) left out; and
    many-valued cells are checked before anything is saved.
    """

    def __init__(self, request=None, **kwargs):
        super().__init__(**kwargs)
        self.request = request

    @classmethod
    def get_result_class(cls):
        return FileLineResult

    def checked_fields(self):
        """Fields cleaned in import_instance although import-export sets them only later."""
        return [
            field
            for field in self.get_import_fields()
            if isinstance(field.widget, widgets.ManyToManyWidget) and not field.readonly
        ]

    def import_instance(self, instance, row, **kwargs):
        errors = {}
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

    def validate_instance(self, instance, import_validation_errors=None, validate_unique=True):
        errors = dict(import_validation_errors or {})
        derived = [field.name for field in instance._meta.fields if not field.editable]
        try:
            instance.full_clean(exclude=[*errors, *derived], validate_unique=validate_unique)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if errors:
            raise ValidationError(errors)


class OutcomeResource(CatalogueResource):
    """One row per outcome, matched on its reference."""

    category = fields.Field(
        attribute="category",
        column_name="category",
        widget=StrictForeignKeyWidget(Category, field="slug", label="category slug"),
    )
    countries = fields.Field(
        attribute="countries",
        column_name="countries",
        widget=StrictManyToManyWidget(Country, field="code", label="country codes"),
    )
    regions = fields.Field(
        attribute="regions",
        column_name="regions",
        widget=StrictManyToManyWidget(Region, field="slug", label="region slugs"),
    )
    # No attribute: import_instance and save_m2m below read and write it.
    organizations = fields.Field(column_name="organizations", widget=ParticipationsWidget())
    figures = fields.Field(column_name="figures", readonly=True)
    url = fields.Field(column_name="url", readonly=True)
    updated = fields.Field(attribute="updated", column_name="updated", readonly=True)

    class Meta:
        model = Outcome
        import_id_fields = ["reference"]
        fields = [
            "reference",
            "category",
            "title",
            "slug",
            "status",
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

    def after_init_instance(self, instance, new, row, **kwargs):
        if new and instance.source_id is None:
            # The catalogue has one source document; a new outcome belongs to it.
            instance.source = Source.objects.order_by("pk").first()

    def import_instance(self, instance, row, **kwargs):
        instance.imported_participations = None
        errors = {}
        try:
            super().import_instance(instance, row, **kwargs)
        except ValidationError as error:
            errors = error.update_error_dict(errors)
        if "organizations" in row:
            try:
                instance.imported_participations = self.fields["organizations"].clean(row)
            except ValueError as error:
                errors["organizations"] = ValidationError(str(error))
        if errors:
            raise ValidationError(errors)

    def skip_row(self, instance, original, row, import_validation_errors=None):
        if not super().skip_row(instance, original, row, import_validation_errors):
            return False
        if instance.imported_participations is None:
            return True
        wanted = [
            (organization.pk, role) for organization, role in instance.imported_participations
        ]
        current = [(p.organization_id, p.role) for p in original.participations.all()]
        return wanted == current

    def save_m2m(self, instance, row, **kwargs):
        super().save_m2m(instance, row, **kwargs)
        if instance.imported_participations is not None:
            self.replace_participations(instance, instance.imported_participations)

    @staticmethod
    def replace_participations(outcome, wanted):
        """Make the outcome's participations the wanted ones, touching only what differs."""
        current = {p.organization_id: p for p in outcome.participations.all()}
        for position, (organization, role) in enumerate(wanted, 1):
            participation = current.pop(organization.pk, None) or Participation(
                outcome=outcome, organization=organization
            )
            if participation.pk is None or (participation.role, participation.position) != (
                role,
                position,
            ):
                participation.role, participation.position = role, position
                participation.save()
        for participation in current.values():
            participation.delete()

    def dehydrate_organizations(self, outcome):
        return SEPARATOR.join(
            f"{p.organization.slug} ({p.role})" for p in outcome.participations.all()
        )

    def dehydrate_figures(self, outcome):
        return SEPARATOR.join(figure.display for figure in outcome.figures.all())

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
        widget=StrictForeignKeyWidget(Country, field="code", label="country code"),
    )

    class Meta:
        model = Organization
        import_id_fields = ["slug"]
        fields = ["slug", "name", "acronym", "type", "country", "is_member"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True


class CountryResource(CatalogueResource):
    """One row per country, matched on its ISO code."""

    class Meta:
        model = Country
        import_id_fields = ["code"]
        fields = ["code", "name", "common_name", "numeric", "continent"]
        export_order = fields
        skip_unchanged = True
        report_skipped = True
        clean_model_instances = True
