"""“Cite this”: three styles from CSL-JSON, three downloads, JSON-LD and Highwire tags."""

import datetime
import html as html_module
import json
import re

import bibtexparser
import pytest
import rispy
from django.utils import timezone

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


def spelled(day):
    return f"{day:%B} {day.day}, {day.year}"


def citations_of(html):
    """{style: [each citation's text, tags removed]} of a page's “Cite this”."""
    section = cite_section(html)
    found = {}
    for style, body in re.findall(r"<h3>(.*?)</h3>(.*?)(?=<h3>|<p>Download)", section, re.S):
        texts = re.findall(r'<p class="citation">(.*?)</p>', body, re.S)
        found[style] = [html_module.unescape(re.sub(r"<[^>]+>", "", text)) for text in texts]
    return found


DOCUMENT = (
    "Cooperation Outcomes of SIRONET Member Organizations to Promote People-to-people "
    "Connectivity along the Belt and Road Initiative in Next Three Years"
)
PERMANENT = "http://testserver/sources/sironet-cooperation-outcomes/I.3/"


def test_an_outcome_offers_two_things_to_cite_each_in_three_styles(client):
    """Checked by hand against each style's manual; the rule each part follows:
    APA 7 (Publication Manual): a group author spelled out, without its abbreviation
    (9.11); a web page's date as year, month and day (9.14); a report's number after the
    title in parentheses (9.27), as a version is (10.10); the site's name, unless the
    author's (9.25); "Retrieved Month Day, Year, from" for a page designed to change
    (9.16). Chicago author-date (CMOS 17th ed.): a page's title in quotation marks, the
    stop within (15.51), headline style (8.159) with hyphenated compounds capitalized
    (8.161), a document's title in italics; "Last modified" for a changing page (15.51).
    GB/T 7714-2015: Author, Year. Title: other title information[EB/OL]. (updated)[cited].
    Address. (the author-date system, 9.2, and the standard's EB/OL examples); an
    institutional author as written, as in the standard's example "World Health
    Organization", not capitalized."""
    outcome = Outcome.objects.with_revision().get(reference="I.3")
    changed = timezone.localdate(outcome.last_changed)
    today = timezone.localdate()
    html = client.get(OUTCOME).content.decode()
    cited = citations_of(html)
    record_title = "I.3. Brightness Action: free cataract surgeries on the Mekong River"
    assert cited["APA"][:2] == [
        "The record in this catalogue: SIRONET Outcomes Catalogue editors. "
        f"({changed.year}, {changed:%B} {changed.day}). {record_title} (Revision 1). "
        f"SIRONET Outcomes Catalogue. Retrieved {spelled(today)}, from {PERMANENT}",
        "The item in the document: Silk Road NGO Cooperation Network. (2017, December 18). "
        f"{DOCUMENT} (Item I.3). {SOURCE_URL}",
    ]
    assert cited["Chicago (author-date)"][:2] == [
        f"The record in this catalogue: SIRONET Outcomes Catalogue editors. {changed.year}. "
        "“I.3. Brightness Action: Free Cataract Surgeries on the Mekong River.” Revision 1. "
        f"SIRONET Outcomes Catalogue. Last modified {spelled(changed)}. {PERMANENT}.",
        "The item in the document: Silk Road NGO Cooperation Network (SIRONET). 2017. "
        "Cooperation Outcomes of SIRONET Member Organizations to Promote People-to-People "
        "Connectivity along the Belt and Road Initiative in Next Three Years. Item I.3. "
        f"December 18, 2017. {SOURCE_URL}.",
    ]
    assert cited["GB/T 7714-2015"][:2] == [
        f"The record in this catalogue: SIRONET Outcomes Catalogue editors, {changed.year}. "
        f"{record_title}: revision 1[EB/OL]. ({changed:%Y-%m-%d})[{today:%Y-%m-%d}]. {PERMANENT}.",
        "The item in the document: Silk Road NGO Cooperation Network (SIRONET), 2017. "
        f"{DOCUMENT}: item I.3[EB/OL]. (2017-12-18)[{today:%Y-%m-%d}]. {SOURCE_URL}.",
    ]
    # A later report's title in quotation marks of its own: single ones within (CMOS 6.11).
    assert "中国新闻网. 2018. “‘澜湄光明行’为柬埔寨青少年带来福祉.” May 9, 2018." in html
    assert (
        "中国新闻网, 2018. “澜湄光明行”为柬埔寨青少年带来福祉[EB/OL]. "
        f"(2018-05-09)[{today:%Y-%m-%d}]" in html
    )
    # The page shows the record's revision and last change, not the catalogue's version.
    assert re.search(rf"Revision 1, last changed <time datetime=\"{changed:%Y-%m-%d}T", html)


def test_a_change_of_the_record_raises_its_revision_and_another_records_does_not(client):
    outcome = Outcome.objects.get(reference="I.3")
    other = Outcome.objects.get(reference="I.4")
    other.title += " (amended)"
    other.save()
    assert "Revision 1," in client.get(OUTCOME).content.decode()
    outcome.title = "Brightness Action: free cataract surgeries along the Mekong"
    outcome.save()
    html = client.get(OUTCOME).content.decode()
    assert "Revision 2," in html and "(Revision 2)" in html
    csl = json.loads(client.get(f"{OUTCOME}cite.csl.json").content)
    assert csl[0]["version"] == "2"


def test_a_revisit_on_another_day_is_not_told_its_copy_is_current(client, monkeypatch):
    """The citations give the day the page is retrieved: a copy of yesterday is stale."""
    first = client.get(OUTCOME)
    later = timezone.now() + datetime.timedelta(days=1)
    monkeypatch.setattr(timezone, "now", lambda: later)
    again = client.get(OUTCOME, HTTP_IF_NONE_MATCH=first["ETag"])
    assert again.status_code == 200
    assert f"Retrieved {spelled(timezone.localdate())}, from" in again.content.decode()


def test_the_citation_downloads_parse_and_name_the_record_and_the_item(client):
    today = timezone.localdate()
    csl = json.loads(client.get(f"{OUTCOME}cite.csl.json").content)
    record, item, *reports = csl
    assert record["URL"] == PERMANENT and record["type"] == "webpage"
    assert record["author"] == [{"literal": "SIRONET Outcomes Catalogue editors"}]
    assert record["title"].startswith("I.3. ") and record["version"] == "1"
    assert record["accessed"]["date-parts"][0] == [today.year, today.month, today.day]
    assert item["URL"] == SOURCE_URL and item["issued"] == {"date-parts": [[2017, 12, 18]]}
    assert item["number"] == "I.3" and item["title"] == DOCUMENT

    response = client.get(f"{OUTCOME}cite.bib")
    assert response["Content-Type"].startswith("application/x-bibtex")
    assert "sironet-cooperation-outcomes-I.3.bib" in response["Content-Disposition"]
    library = bibtexparser.parse_string(response.content.decode())
    assert not library.failed_blocks
    # biblatex's @online: organization, url and urldate; no journaltitle (biblatex manual,
    # 2.1.1 "online" and its fields).
    online, document = library.entries[:2]
    assert online.entry_type == document.entry_type == "online"
    assert online["url"] == PERMANENT and online["version"] == "1"
    assert online["organization"] == "SIRONET Outcomes Catalogue"
    assert online["urldate"] == f"{today:%Y-%m-%d}" and "journaltitle" not in online
    assert document["url"] == SOURCE_URL and document["date"] == "2017-12-18"
    assert document["titleaddon"] == "Item I.3"
    assert [entry["url"] for entry in library.entries[2:]] == [r["URL"] for r in reports]
    assert "澜湄光明行" in response.content.decode()  # UTF-8, as biblatex reads it

    records = rispy.loads(client.get(f"{OUTCOME}cite.ris").content.decode())
    assert [r["type_of_reference"] for r in records] == ["ELEC"] * (2 + len(reports))
    assert records[0]["urls"] == [PERMANENT] and records[0]["edition"] == "1"
    assert records[1]["urls"] == [SOURCE_URL] and records[1]["date"] == "2017/12/18"
    assert records[1]["section"] == "Item I.3"
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
    # The page is the catalogue's record: its tags describe the record, as its citation does.
    assert '<meta name="citation_author" content="SIRONET Outcomes Catalogue editors">' in html
    assert f'<meta name="citation_public_url" content="{PERMANENT}">' in html


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
    assert {"title", "author", "url", "version", "organization"} <= set(online.fields_dict)
    assert online["title"] == r"I.3. Smile \} now \& 100\% \{free\} surgeries \#1"
    records = rispy.loads(client.get(f"{outcome.get_absolute_url()}cite.ris").content.decode())
    assert [r["type_of_reference"] for r in records][:2] == ["ELEC", "ELEC"]
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
