"""django-import-export resources: one per model, shared by the admin and the public exports."""

from import_export import fields, resources, widgets

from outcomes.models import Category, Country, Outcome, Region

# Many-valued cells join values with this; no name, slug or code contains it.
SEPARATOR = ";"


class OutcomeResource(resources.ModelResource):
    """One row per outcome, matched on its reference."""

    category = fields.Field(
        attribute="category",
        column_name="category",
        widget=widgets.ForeignKeyWidget(Category, field="slug"),
    )
    countries = fields.Field(
        attribute="countries",
        column_name="countries",
        widget=widgets.ManyToManyWidget(Country, field="code", separator=SEPARATOR),
    )
    regions = fields.Field(
        attribute="regions",
        column_name="regions",
        widget=widgets.ManyToManyWidget(Region, field="slug", separator=SEPARATOR),
    )
    organizations = fields.Field(column_name="organizations", readonly=True)
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

    def __init__(self, request=None, **kwargs):
        super().__init__(**kwargs)
        self.request = request

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
