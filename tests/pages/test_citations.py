"""“Cite this”: three styles from CSL-JSON, three downloads, JSON-LD and Highwire tags."""

import json
import re

import bibtexparser
import pytest
import rispy

from outcomes.models import Outcome, Source

pytestmark = pytest.mark.django_db

OUTCOME = "/outcomes/brightness-action-free-cataract-surgeries-on-the-mekong-river/"
SOURCE_URL = "https://sironet.cnie.org.cn/cnie_en/Documents_224/201712/t20171218_94520.html"


def json_ld(html):
    found = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    assert len(found) == 1
    return json.loads(found[0])


def cite_section(html):
    return html[
        html.index('id="cite-heading"') : html.index("</section>", html.index("cite-heading"))
    ]


def test_an_outcome_page_cites_the_record_and_its_source_in_three_styles(client):
    response = client.get(OUTCOME)
    section = cite_section(response.content.decode())
    for style in ("APA", "Chicago (author-date)", "GB/T 7714-2015"):
        assert f"<h3>{style}</h3>" in section
    record = f"http://testserver{OUTCOME}"
    # Each style: the record (its address, the item in its title), then the document
    # (publisher, 2017, its address).
    assert section.count(record) == 3
    assert section.count(SOURCE_URL) == 3
    assert section.count("I.3. Brightness Action") == 3
    assert section.count("Silk Road NGO Cooperation Network (SIRONET)") >= 6
    assert "2017" in section and "(2017-12-18)" in section  # GB/T gives the full date
    version = response.wsgi_request.data_version
    assert f"[{version.changed:%Y-%m-%d}]" in section  # the version's date, as GB/T's access date
    assert f"Version {version.number}" in section  # Chicago


def test_the_citation_downloads_parse_and_name_the_record_and_the_source(client):
    csl = json.loads(client.get(f"{OUTCOME}cite.csl.json").content)
    record, source, *reports = csl
    assert record["URL"] == f"http://testserver{OUTCOME}"
    assert record["title"].startswith("I.3. ") and record["version"]
    assert record["accessed"]["date-parts"][0][0] >= 2026
    assert source["URL"] == SOURCE_URL and source["issued"] == {"date-parts": [[2017, 12, 18]]}
    assert "I.3" in record["note"] and SOURCE_URL in record["note"]

    response = client.get(f"{OUTCOME}cite.bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert "sironet-cooperation-outcomes-I.3.bib" in response["Content-Disposition"]
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks
    entries = {entry.entry_type: entry for entry in library.entries[:2]}
    assert entries["online"]["url"] == f"http://testserver{OUTCOME}"
    assert entries["report"]["url"] == SOURCE_URL and entries["report"]["date"] == "2017-12-18"
    assert [entry["url"] for entry in library.entries[2:]] == [r["URL"] for r in reports]

    records = rispy.loads(client.get(f"{OUTCOME}cite.ris").content.decode())
    assert [r["type_of_reference"] for r in records] == ["ELEC", "RPRT"] + ["ELEC"] * len(reports)
    assert records[0]["urls"] == [f"http://testserver{OUTCOME}"]
    assert records[1]["urls"] == [SOURCE_URL] and records[1]["date"] == "2017/12/18"
    assert client.get(f"{OUTCOME}cite.docx").status_code == 404


def test_the_source_and_the_catalogue_offer_citations_too(client):
    source = Source.objects.get()
    html = client.get(source.get_absolute_url()).content.decode()
    assert cite_section(html).count(SOURCE_URL) == 3
    assert json_ld(html)["@type"] == "CreativeWork"
    assert (
        json.loads(client.get(f"{source.get_absolute_url()}cite.csl.json").content)[0]["URL"]
        == SOURCE_URL
    )

    response = client.get("/about/")
    html = response.content.decode()
    section = cite_section(html)
    assert section.count("SIRONET Outcomes Catalogue") >= 3
    assert f"Version {response.wsgi_request.data_version.number}" in section
    dataset = json_ld(html)
    assert dataset["@type"] == "Dataset"
    assert dataset["license"] == "https://creativecommons.org/licenses/by/4.0/"
    assert dataset["version"] == str(response.wsgi_request.data_version.number)
    assert dataset["isBasedOn"][0]["url"] == SOURCE_URL
    formats = {d["encodingFormat"].split(";")[0] for d in dataset["distribution"]}
    assert {"text/csv", "application/json"} <= formats
    (item,) = json.loads(client.get("/about/cite.csl.json").content)
    assert item["type"] == "dataset" and item["version"] == dataset["version"]


def test_an_outcome_page_has_json_ld_and_the_tags_zotero_reads(client):
    html = client.get(OUTCOME).content.decode()
    work = json_ld(html)
    assert work["@type"] == "CreativeWork" and work["url"] == f"http://testserver{OUTCOME}"
    assert work["identifier"] == "sironet-cooperation-outcomes/I.3"
    assert work["citation"]["url"] == SOURCE_URL
    assert work["isPartOf"]["@type"] == "Dataset"
    assert '<meta name="citation_title" content="I.3. Brightness Action' in html
    assert '<meta name="citation_publication_date" content="2017/12/18">' in html
    assert (
        '<meta name="citation_author" content="Silk Road NGO Cooperation Network (SIRONET)">'
        in html
    )


def test_markup_in_a_title_is_text_in_citations_and_json_ld(client):
    outcome = Outcome.objects.get(reference="I.3")
    outcome.title = "Eye care </script><script>alert(1)</script> & more"
    outcome.save()
    html = client.get(outcome.get_absolute_url()).content.decode()
    assert "<script>alert(1)" not in html
    assert json_ld(html)["name"] == outcome.title  # escaped in the data block, intact when read
    assert "&lt;/script&gt;" in cite_section(html)


def test_braces_percent_and_line_breaks_stay_inside_their_field(client):
    outcome = Outcome.objects.get(reference="I.3")
    outcome.title = "Smile } now & 100% {free}\nsurgeries #1"
    outcome.save()
    library = bibtexparser.parse_string(
        client.get(f"{outcome.get_absolute_url()}cite.bib").content.decode()
    )
    assert not library.failed_blocks
    online = next(entry for entry in library.entries if entry.entry_type == "online")
    assert {"title", "author", "url", "note"} <= set(online.fields_dict)
    records = rispy.loads(client.get(f"{outcome.get_absolute_url()}cite.ris").content.decode())
    assert [r["type_of_reference"] for r in records][:2] == ["ELEC", "RPRT"]
    assert records[0]["title"] == "I.3. Smile } now & 100% {free} surgeries #1"


def test_an_earlier_slug_of_a_download_or_a_source_leads_to_the_same_download_or_item(client):
    outcome = Outcome.objects.get(reference="I.3")
    old = outcome.slug
    outcome.slug = "renamed-item"
    outcome.save()
    assert client.get(f"/outcomes/{old}/cite.ris")["Location"] == "/outcomes/renamed-item/cite.ris"
    source = Source.objects.get()
    old_source = source.slug
    source.slug = "renamed-source"
    source.save()
    assert client.get(f"/sources/{old_source}/cite.bib")["Location"] == (
        "/sources/renamed-source/cite.bib"
    )
    assert client.get(f"/sources/{old_source}/I.3/")["Location"] == "/outcomes/renamed-item/"
