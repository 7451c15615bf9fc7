"""Keep each outcome's search document in step with everything it contains."""

from django.db.models.signals import m2m_changed, post_delete, post_save
from django.dispatch import receiver

from outcomes.models import (
    Country,
    Mention,
    Organization,
    Outcome,
    Participation,
    Programme,
    Reach,
    Region,
)


def _refresh(**filters):
    Outcome.objects.filter(**filters).refresh_search_text()


@receiver(post_save, sender=Outcome)
def outcome_saved(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh(pk=instance.pk)


@receiver(m2m_changed, sender=Outcome.countries.through)
def outcome_places_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _refresh(pk=instance.pk)
    elif pk_set:  # country.outcomes.add(…): the outcomes are in pk_set
        _refresh(pk__in=pk_set)


@receiver(post_save, sender=Participation)
@receiver(post_delete, sender=Participation)
@receiver(post_save, sender=Programme)
@receiver(post_delete, sender=Programme)
@receiver(post_save, sender=Reach)
@receiver(post_delete, sender=Reach)
@receiver(post_save, sender=Mention)
@receiver(post_delete, sender=Mention)
def part_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh(pk=instance.outcome_id)


@receiver(post_save, sender=Organization)
def organization_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created:
        _refresh(participations__organization=instance)


@receiver(post_save, sender=Country)
def country_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created:
        _refresh(countries=instance)


@receiver(post_save, sender=Region)
def region_saved(sender, instance, created, raw=False, **kwargs):
    if not raw and not created:
        _refresh(regions=instance)
