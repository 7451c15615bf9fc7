"""Permanent addresses: by reference, within a source, and every earlier slug."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from outcomes.models import Category, Organization, Outcome, Region, Source

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("reference", ["I.3", "i.3", "II.10", "ii.10", "V.6"])
def test_a_reference_in_any_case_is_one_permanent_redirect(client, reference):
    outcome = Outcome.objects.get(reference=reference.upper())
    response = client.get(f"/outcomes/{reference}/")
    assert response.status_code == 301
    assert response["Location"] == outcome.get_absolute_url()
    assert client.get(response["Location"]).status_code == 200


def test_a_reference_within_its_source_is_one_permanent_redirect(client):
    outcome = Outcome.objects.get(reference="IV.2")
    response = client.get(f"/sources/{outcome.source.slug}/iv.2/")
    assert response.status_code == 301
    assert response["Location"] == outcome.get_absolute_url()
    assert client.get(f"/sources/{outcome.source.slug}/IV.99/").status_code == 404
    assert client.get("/sources/no-such-document/IV.2/").status_code == 404
    assert client.get("/outcomes/VI.1/").status_code == 404


def test_a_reference_two_sources_share_lists_both_items(client):
    first = Outcome.objects.get(reference="I.3")
    second_source = Source.objects.create(
        slug="a-later-list", title="A later list", publisher="SIRONET"
    )
    second = Outcome.objects.create(
        source=second_source,
        reference="I.3",
        category=first.category,
        title="Another item I.3",
        slug="another-item-i-3",
        text="Another list's third item.",
    )
    response = client.get("/outcomes/I.3/")
    assert response.status_code == 300
    html = response.content.decode()
    assert first.get_absolute_url() in html and second.get_absolute_url() in html
    # Within its source, a reference names one item.
    response = client.get(f"/sources/{second_source.slug}/I.3/")
    assert response["Location"] == second.get_absolute_url()


def test_the_source_page_names_the_document_and_lists_its_items(client):
    source = Source.objects.get()
    html = client.get(source.get_absolute_url()).content.decode()
    assert source.title in html and source.url in html and "18 December 2017" in html
    assert "37 outcomes" in html
    assert f"/sources/{source.slug}/I.1/" in html


# A field that renames leave alone, to find the record again in each example.
RECORDS = [
    (Outcome, "reference", "I.3"),
    (Organization, "acronym", "CFPD"),
    (Category, "numeral", "IV"),
    (Region, "pk__gte", 0),
    (Source, "pk__gte", 0),
]

slugs = st.from_regex(r"[a-z][a-z0-9-]{0,30}[a-z0-9]", fullmatch=True)


@pytest.mark.parametrize(("model", "field", "value"), RECORDS)
@settings(
    max_examples=15,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(renames=st.lists(slugs, min_size=1, max_size=4))
def test_every_earlier_slug_is_one_hop_to_the_current_address(client, model, field, value, renames):
    record = model.objects.order_by("pk").filter(**{field: value}).first()
    taken = set(model.objects.exclude(pk=record.pk).values_list("slug", flat=True))
    earlier = [record.slug]
    for slug in renames:
        if slug in taken or slug == record.slug:
            continue
        record.slug = slug
        record.save()
        earlier.append(slug)
    current = record.get_absolute_url()
    assert client.get(current).status_code == 200
    for slug in set(earlier) - {record.slug}:
        address = current.replace(f"/{record.slug}/", f"/{slug}/")
        response = client.get(address)
        assert response.status_code == 301, address
        assert response["Location"] == current  # one hop, to the current address
    # An address that was never a slug is still a 404.
    assert client.get(current.replace(f"/{record.slug}/", "/never-was-a-slug/")).status_code == 404


def test_an_old_slug_taken_by_another_record_serves_that_record(client):
    first, second = Organization.objects.order_by("pk")[:2]
    old = first.slug
    first.slug = f"{old}-renamed"
    first.save()
    second.slug = old
    second.save()
    response = client.get(f"/organizations/{old}/")
    assert response.status_code == 200 and response.context["organization"] == second


def test_the_sitemap_lists_only_current_addresses(client):
    organization = Organization.objects.get(slug="cfpd")
    organization.slug = "cfpd-renamed"
    organization.save()
    xml = client.get("/sitemap.xml").content.decode()
    assert "/organizations/cfpd-renamed/" in xml and "/organizations/cfpd/" not in xml
    assert Source.objects.get().get_absolute_url() in xml


@pytest.mark.parametrize("model", [Organization, Category])
def test_a_feed_at_an_earlier_slug_is_one_hop_to_the_current_feed(client, model):
    record = model.objects.order_by("pk").first()
    old, folder = record.slug, record.get_absolute_url().split("/")[1]
    record.slug = f"{old}-renamed"
    record.save()
    response = client.get(f"/{folder}/{old}/feed.atom")
    assert response.status_code == 301
    assert response["Location"] == f"/{folder}/{old}-renamed/feed.atom"
    assert client.get(response["Location"]).status_code == 200
    assert client.get(f"/{folder}/never-was-a-slug/feed.atom").status_code == 404
