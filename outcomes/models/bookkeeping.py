"""The catalogue's bookkeeping: data versions, what each touched, what seeding created."""

from django.db import models
from django.db.models import Q


class DataVersion(models.Model):
    """One row: a number that every change to the data increases (outcomes/dataversion.py)."""

    version = models.PositiveBigIntegerField(default=1)
    changed = models.DateTimeField()

    class Meta:
        constraints = [models.CheckConstraint(condition=Q(pk=1), name="data_version_single_row")]

    def __str__(self):
        return f"data version {self.version}"


class VersionLog(models.Model):
    """The outcomes whose rows alone a version changed, or `whole` (a name, a grouping…): a
    facet index a few versions old re-reads only those (outcomes/facets.py)."""

    version = models.PositiveBigIntegerField(primary_key=True)
    # The version's time (DataVersion.changed): an index of version 7 from before a
    # restore is not the restored database's version 7.
    changed = models.DateTimeField(null=True)
    outcomes = models.JSONField(default=list)
    whole = models.BooleanField(default=True)

    def __str__(self):
        return f"log of version {self.version}"


class SeedRecord(models.Model):
    """A fixture record seeded once: never again, even after an editor renamed or deleted it."""

    model = models.CharField(max_length=100)
    key = models.CharField(max_length=300)
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["model", "key"]
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="seed_record_unique")]

    def __str__(self):
        return f"{self.model} {self.key}"
