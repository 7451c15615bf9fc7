"""Synthetic outcomes, for measuring the catalogue at scale: tests and `make bench`.

    DJANGO_DEBUG=true .venv/bin/python -m tools.synthetic --outcomes N [--seed S]

adds N to the database of DATABASE_URL (run `manage.py seed` first; never on the
production database). Not part of the app: nothing it ships imports this.

They are linked like the document's: one to five organizations (a few of them
partners), none to four countries, sometimes a region, a figure or a programme,
every category and status, text of similar length. Most were searched for later
reports; two in five have one or two (a few reports are about two outcomes, some give
a figure), of every reading, most reviewed and some waiting for review. They come from
a source of their own (SYNTHETIC_SOURCE: two sources, as the catalogue will have), with
references of its form from 1001 on (“III.1001”), and slugs and titles starting
“synthetic”: marked as synthetic everywhere a person could see them. They never go
into the fixture.
"""

import argparse
import os
import random
import sys
from datetime import date, timedelta

import django

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sironet.settings")
    django.setup()

from django.db import transaction  # noqa: E402 (after setup when run as a script)

from outcomes.models import (  # noqa: E402
    Category,
    Country,
    Figure,
    FigureKind,
    LaterReport,
    LaterSearch,
    Organization,
    OrganizationType,
    Outcome,
    Participation,
    Programme,
    Qualifier,
    Reach,
    ReachKind,
    Reading,
    Region,
    RegionKind,
    ReportFigure,
    Role,
    SironetMembership,
    Source,
    Status,
)
from outcomes.search import search_document  # noqa: E402

SYNTHETIC_SOURCE = {
    "slug": "synthetic-outcomes",
    "title": "Synthetic outcomes (for measuring the catalogue; not SIRONET's)",
    "publisher": "SIRONET Outcomes Catalogue developers",
    "published": "2017-12-18",
}
# Item numbers start here: a reference never repeats one of the document's.
FIRST_NUMBER = 1000
# Synthetic outcomes sort after the document's: its positions stay below 100,000.
FIRST_POSITION = 1_000_000
BATCH = 2_000
# Later reports are published after the document, up to the searches' day.
LATER_FROM, SEARCHED = date(2018, 1, 1), date(2026, 12, 1)

VERBS = ["launched", "built", "co-built", "founded", "organized", "held", "supported", "funded"]
THINGS = [
    "schools",
    "a scholarship programme",
    "free cataract surgeries",
    "vocational training",
    "a volunteer service",
    "clean water wells",
    "youth exchange programs",
    "a forum on cooperation",
    "solar energy training",
    "a women's entrepreneurship program",
    "a medical corridor platform",
    "cultural exhibitions",
]
PURPOSES = [
    "to improve livelihoods in rural communities",
    "to build capacity among local organizations",
    "to promote people-to-people exchanges",
    "to support sustainable development",
    "to train young professionals",
]
ORGANIZATION_WORDS = [
    "Friendship",
    "Development",
    "Exchange",
    "Green",
    "Health",
    "Youth",
    "Culture",
]


def synthetic_outcomes(count, seed=0, progress=None):
    """Add `count` synthetic outcomes; `progress(n)` is called as batches are written."""
    rng = random.Random(seed)
    source, _ = Source.objects.get_or_create(
        slug=SYNTHETIC_SOURCE["slug"], defaults=SYNTHETIC_SOURCE
    )
    categories = list(Category.objects.all())
    countries = list(Country.objects.all())
    regions = list(Region.objects.all())
    start = source.outcomes.count()
    organizations = synthetic_organizations(max(20, count // 20), countries)
    statuses = [Status.COMPLETED] * 5 + [Status.ONGOING] * 4 + [Status.PLANNED, Status.UNKNOWN]
    # Its own stream: the outcomes stay those an earlier version of this tool made.
    later_rng = random.Random(f"later-{seed}")

    written = 0
    while written < count:
        size = min(BATCH, count - written)
        with transaction.atomic():
            outcomes, links = [], []
            for offset in range(size):
                number = start + written + offset + 1
                outcome, outcome_links = synthetic_outcome(
                    rng, number, source, categories, statuses, organizations, countries, regions
                )
                outcomes.append(outcome)
                links.append(outcome_links)
            Outcome.objects.bulk_create(outcomes)
            write_links(outcomes, links)
            write_later_reports(later_rng, outcomes)
        written += size
        if progress:
            progress(size)
    return written


def synthetic_organizations(count, countries):
    """All organizations, in a fixed order, after adding synthetic ones up to `count`.

    Synthetic organizations made by an earlier run are reused, so that a run
    with the same seed on the same catalogue makes the same outcomes.
    """
    existing = Organization.objects.filter(slug__startswith="synthetic-").count()
    china = next(country for country in countries if country.code == "CN")
    made = []
    for number in range(existing + 1, count + 1):
        name = (
            f"Synthetic {ORGANIZATION_WORDS[number % len(ORGANIZATION_WORDS)]} Association {number}"
        )
        made.append(
            Organization(
                name=name,
                sort_name=name,
                slug=f"synthetic-organization-{number}",
                type=OrganizationType.values[number % len(OrganizationType.values)],
                country=china,
                membership=SironetMembership.MEMBER,
            )
        )
    Organization.objects.bulk_create(made)
    return list(Organization.objects.order_by("pk"))


def synthetic_outcome(rng, number, source, categories, statuses, organizations, countries, regions):
    category = rng.choice(categories)
    reference = f"{category.numeral}.{FIRST_NUMBER + number}"
    chosen_organizations = rng.sample(organizations, rng.randint(1, 5))
    chosen_countries = rng.sample(countries, rng.choice([0, 0, 1, 1, 1, 2, 2, 3, 4]))
    chosen_regions = rng.sample(regions, 1) if rng.random() < 0.25 else []
    thing = rng.choice(THINGS)
    names = " and ".join(organization.name for organization in chosen_organizations)
    where = ", ".join(country.name for country in chosen_countries) or "partner countries"
    text = (
        f"{names} {rng.choice(VERBS)} {thing} in {where} {rng.choice(PURPOSES)}, "
        f"reaching over {rng.randint(2, 900) * 10} people."
    )
    title = f"Synthetic outcome {number}: {thing}"
    programme = f"Synthetic Programme {number}" if rng.random() < 0.4 else None
    figure = rng.random() < 0.45
    outcome = Outcome(
        source=source,
        reference=reference,
        position=FIRST_POSITION + number,
        category=category,
        title=title,
        slug=f"synthetic-outcome-{number}",
        text=text,
        status=rng.choice(statuses),
        year=rng.choice([None, None, None, rng.randint(2013, 2025)]),
        scope="",
        search_text=search_document(
            reference,
            title,
            text,
            programme,
            *(f"{o.name} {o.acronym}" for o in chosen_organizations),
            *(f"{c.name} {c.common_name}" for c in chosen_countries),
            *(r.name for r in chosen_regions),
        ),
    )
    links = {
        "organizations": chosen_organizations,
        "countries": chosen_countries,
        "regions": chosen_regions,
        "programme": programme,
        "figure": (rng.randint(1, 500), thing.split()[-1]) if figure else None,
    }
    return outcome, links


def write_links(outcomes, links):
    participations, countries, regions, figures, programmes = [], [], [], [], []
    for outcome, link in zip(outcomes, links, strict=True):
        for position, organization in enumerate(link["organizations"], 1):
            role = Role.PARTNER if position > 1 and position % 3 == 0 else Role.LEAD
            participations.append(
                Participation(
                    outcome=outcome, organization=organization, role=role, position=position
                )
            )
        countries += [
            Outcome.countries.through(outcome=outcome, country=country)
            for country in link["countries"]
        ]
        regions += [
            Reach(
                outcome=outcome,
                region=region,
                # A made-up reach: a continent somewhere in, a grouping via its members.
                kind=ReachKind.WITHIN
                if region.kind == RegionKind.GEOGRAPHIC
                else ReachKind.MEMBERS,
                words=region.name,
            )
            for region in link["regions"]
        ]
        if link["figure"]:
            value, unit = link["figure"]
            figures.append(
                Figure(
                    outcome=outcome,
                    position=1,
                    kind=FigureKind.COUNT,
                    value=value,
                    qualifier=Qualifier.OVER,
                    unit=unit,
                    words=f"over {value} {unit}",
                )
            )
        if link["programme"]:
            programmes.append(Programme(outcome=outcome, name=link["programme"]))
    Participation.objects.bulk_create(participations, batch_size=BATCH)
    Outcome.countries.through.objects.bulk_create(countries, batch_size=BATCH)
    Reach.objects.bulk_create(regions, batch_size=BATCH)
    Figure.objects.bulk_create(figures, batch_size=BATCH)
    Programme.objects.bulk_create(programmes, batch_size=BATCH)


def write_later_reports(rng, outcomes):
    """Searches for later reports on most of `outcomes`, and reports on a third of them."""
    searches, reports, links, figures = [], [], [], []
    for previous, outcome in zip([None, *outcomes], outcomes, strict=False):
        if rng.random() < 0.8:
            searches.append(LaterSearch(outcome=outcome, searched=SEARCHED, queries=outcome.title))
        for number in range(rng.choice([0, 0, 0, 0, 1, 1, 2])):
            reviewed = rng.random() < 0.8
            report = LaterReport(
                url=f"https://example.org/synthetic-later-report-{outcome.pk}-{number}",
                title=f"Synthetic later report on {outcome.reference}",
                publisher="Synthetic publisher",
                published=LATER_FROM + timedelta(days=rng.randrange((SEARCHED - LATER_FROM).days)),
                language=rng.choice(["en", "en", "zh"]),
                reading=rng.choice(Reading.values),
                summary=f"A synthetic report on {outcome.title}.",
                added_by_name="Synthetic editor",
                reviewed_by_name="Synthetic reviewer" if reviewed else "",
                reviewed=SEARCHED if reviewed else None,
            )
            reports.append(report)
            links.append((report, outcome))
            if previous is not None and rng.random() < 0.1:
                links.append((report, previous))
            if rng.random() < 0.3:
                value = rng.randint(2, 2000)
                words = f"{value} people"
                figures.append(
                    ReportFigure(
                        report=report,
                        kind=FigureKind.COUNT,
                        value=value,
                        qualifier=Qualifier.EXACT,
                        unit="people",
                        words=words,
                    )
                )
    LaterSearch.objects.bulk_create(searches, batch_size=BATCH)
    LaterReport.objects.bulk_create(reports, batch_size=BATCH)
    Reported = LaterReport.outcomes.through
    Reported.objects.bulk_create(
        [Reported(laterreport=report, outcome=outcome) for report, outcome in links],
        batch_size=BATCH,
    )
    ReportFigure.objects.bulk_create(figures, batch_size=BATCH)


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m tools.synthetic", description=__doc__)
    parser.add_argument("--outcomes", type=int, required=True, help="How many to add.")
    parser.add_argument("--seed", type=int, default=0, help="Random seed (reproducible).")
    args = parser.parse_args(argv)
    if args.outcomes < 1:
        parser.error("--outcomes must be at least 1.")
    if not Category.objects.exists():
        parser.error("the catalogue is empty: run `manage.py seed` first.")
    from outcomes.dataversion import bump_data_version

    done = 0

    def progress(size):
        # To the terminal only (standard error), never into a log.
        nonlocal done
        done += size
        if sys.stderr.isatty():
            print(f"\r{done:,} of {args.outcomes:,} outcomes", end="", file=sys.stderr)

    added = synthetic_outcomes(args.outcomes, seed=args.seed, progress=progress)
    if sys.stderr.isatty():
        print(file=sys.stderr)
    bump_data_version()
    print(f"Added {added} synthetic outcomes.")


if __name__ == "__main__":
    main()
