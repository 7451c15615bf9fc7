"""The interface in English and 简体中文: addresses, lang, the switch, alternates, and a
Chinese catalogue that covers every interface string."""

import gettext
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from django.apps import apps as django_apps
from django.urls import reverse
from django.utils import translation

from outcomes.models import Category, Organization, Outcome, Region
from tests.conftest import need
from tests.site import CHINESE_PAGES, PAGES

ROOT = Path(__file__).resolve().parents[2]
PO = ROOT / "locale/zh_Hans/LC_MESSAGES/django.po"
MO = PO.with_suffix(".mo")

pytestmark = pytest.mark.django_db

SITE_PAGES = {name: path for name, path in PAGES.items() if not path.startswith("/api/")}


@pytest.mark.parametrize("name", SITE_PAGES)
def test_every_page_answers_in_english_with_lang_en(client, name):
    response = client.get(SITE_PAGES[name])
    assert response.status_code == (404 if name == "404" else 200)
    assert '<html lang="en">' in response.content.decode()


@pytest.mark.parametrize("name", SITE_PAGES)
def test_every_page_answers_in_chinese_with_lang_zh_hans(client, name):
    response = client.get(CHINESE_PAGES[f"{name} (zh)"])
    assert response.status_code == (404 if name == "404" else 200)
    html = response.content.decode()
    assert '<html lang="zh-Hans">' in html
    assert "丝路沿线民间组织合作网络成果目录" in html  # the site's name, translated


def test_english_addresses_are_unchanged():
    with translation.override("en"):
        assert reverse("outcomes:outcome_list") == "/outcomes/"
        assert reverse("outcomes:about") == "/about/"
    with translation.override("zh-hans"):
        assert reverse("outcomes:outcome_list") == "/zh-hans/outcomes/"


def test_an_en_prefix_is_not_a_second_english_address(client):
    # English lives at today's addresses only; /en/… is no address of the site.
    assert client.get("/en/outcomes/").status_code == 404
    assert client.get("/outcomes/").status_code == 200


def test_the_language_switch_keeps_the_page_and_its_filters(client):
    """The query the page answers, as the page links to it (versioning.public_page); no
    other parameter, which a kept page would otherwise pass on to everyone."""
    html = client.get("/outcomes/?country=mm&q=school&utm_source=x").content.decode()
    assert (
        '<a href="/zh-hans/outcomes/?q=school&amp;country=MM" hreflang="zh-Hans" '
        'lang="zh-Hans">简体中文</a>' in html
    )
    html = client.get("/zh-hans/outcomes/?country=mm&q=school").content.decode()
    assert (
        '<a href="/outcomes/?q=school&amp;country=MM" hreflang="en" lang="en">English</a>' in html
    )
    html = client.get("/about/?utm_source=x").content.decode()
    assert '<a href="/zh-hans/about/" hreflang="zh-Hans"' in html


def test_the_head_names_both_languages_and_a_default(client):
    html = client.get("/zh-hans/about/").content.decode()
    assert '<link rel="alternate" hreflang="en" href="http://testserver/about/">' in html
    assert (
        '<link rel="alternate" hreflang="zh-Hans" href="http://testserver/zh-hans/about/">' in html
    )
    assert '<link rel="alternate" hreflang="x-default" href="http://testserver/about/">' in html
    # The canonical address stays the page's own, in its language.
    assert '<link rel="canonical" href="http://testserver/zh-hans/about/">' in html


def test_the_sitemap_lists_each_page_in_both_languages(client):
    xml = client.get("/sitemap.xml").content.decode()
    assert "<loc>http://testserver/about/</loc>" in xml
    assert "<loc>http://testserver/zh-hans/about/</loc>" in xml
    assert 'hreflang="zh-hans" href="http://testserver/zh-hans/about/"' in xml
    assert 'hreflang="x-default" href="http://testserver/about/"' in xml


def test_a_chinese_page_without_chinese_content_says_so_once_and_shows_the_english(client):
    outcome = Outcome.objects.first()
    Outcome.objects.filter(pk=outcome.pk).update(title_zh="")  # as an outcome added in English
    html = client.get(f"/zh-hans{outcome.get_absolute_url()}").content.decode()
    assert html.count("本页内容尚无中文译文，以下显示英文原文。") == 1
    assert outcome.title in html
    assert outcome.text in html


@pytest.mark.parametrize(
    ("model", "slug"),
    [(Category, "culture"), (Region, "mekong"), (Organization, "cfpd")],
)
def test_other_pages_without_chinese_names_say_so_once(client, model, slug):
    model.objects.filter(slug=slug).update(name_zh="")  # as a record added in English
    html = client.get(f"/zh-hans{model.objects.get(slug=slug).get_absolute_url()}").content.decode()
    assert html.count("本页内容尚无中文译文，以下显示英文原文。") == 1


def test_a_translated_outcome_shows_the_source_text_and_its_labelled_translation(client):
    outcome = Outcome.objects.first()
    Outcome.objects.filter(pk=outcome.pk).update(
        title_zh="中文标题", text_zh="中文译文。", translated_by="目录编辑"
    )
    address = outcome.get_absolute_url()
    html = client.get(f"/zh-hans{address}").content.decode()
    assert "中文标题" in html
    assert outcome.text in html  # the source, always
    assert '<blockquote lang="zh-Hans"><p>中文译文。</p></blockquote>' in html
    assert "译者：目录编辑。" in html
    assert "译文尚未审校" in html
    assert "本页内容尚无中文译文" not in html
    # The English page shows neither.
    html = client.get(address).content.decode()
    assert "中文译文。" not in html and "中文标题" not in html


def test_the_admin_answers_in_chinese(admin_client):
    html = admin_client.get("/zh-hans/admin/").content.decode()
    assert '<html lang="zh-hans"' in html
    assert "丝路沿线民间组织合作网络成果目录管理后台" in html  # ours
    assert "最近动作" in html  # Django's own
    assert ">目录</a>" in html and ">更正收件箱</a>" in html  # the apps' names


def _messages(path):
    with open(path, "rb") as file:
        return [message for message in read_po(file) if message.id]


def test_every_interface_string_has_a_chinese_translation(tmp_path):
    """makemessages, run on a copy of the code with the committed catalogue, finds no
    string without a (non-fuzzy) translation: a new or changed string fails here."""
    need(shutil.which("msgmerge"), "gettext is missing: apt-get install -y gettext")
    apps_here = [app.name for app in django_apps.get_app_configs() if Path(app.path).parent == ROOT]
    for name in ("manage.py", *apps_here, "templates", "locale"):
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(source, tmp_path / name)
    subprocess.run(
        [sys.executable, "manage.py", "makemessages", "-l", "zh_Hans", "--no-obsolete"],
        cwd=tmp_path,
        env={"PATH": "/usr/bin:/bin", "DJANGO_DEBUG": "true"},
        check=True,
        capture_output=True,
    )
    untranslated = [
        message.id
        for message in _messages(tmp_path / "locale/zh_Hans/LC_MESSAGES/django.po")
        if message.fuzzy
        or not all(message.string if isinstance(message.string, tuple) else [message.string])
    ]
    assert not untranslated, "Not translated into Chinese:\n" + "\n".join(map(str, untranslated))


def test_the_compiled_catalogue_matches_the_po_file():
    """locale/…/django.mo is compilemessages' output of the committed django.po."""
    with open(MO, "rb") as file:
        compiled = gettext.GNUTranslations(file)
    stale = []
    for message in _messages(PO):
        context = f"{message.context}\x04" if message.context else ""
        if isinstance(message.id, tuple):
            key = (context + message.id[0], 0)
            wanted = message.string[0]
        else:
            key, wanted = context + message.id, message.string
        if compiled._catalog.get(key) != wanted:
            stale.append(message.id)
    assert not stale, "Run compilemessages; the .mo differs for:\n" + "\n".join(map(str, stale))


def test_the_facets_are_labelled_in_the_page_language(client):
    checkbox = '<input type="checkbox" name="country" value="MM">'
    english = client.get("/outcomes/").content.decode()
    chinese = client.get("/zh-hans/outcomes/").content.decode()
    english_again = client.get("/outcomes/?country=mm").content.decode()
    assert f"{checkbox}Myanmar" in english
    assert f"{checkbox}缅甸" in chinese  # the same facet counts, kept apart by language
    assert '<input type="checkbox" name="status" value="ongoing">进行中' in chinese
    assert "Myanmar" in english_again and "缅甸" not in english_again


def test_the_data_package_is_in_english_whatever_language_is_active(client):
    from django.utils import translation

    from downloads.package import WritePackage

    with translation.override("zh-hans"):
        WritePackage()()
    package = client.get("/zh-hans/data/datapackage.json")
    text = b"".join(package.streaming_content).decode()
    assert "planned (Planned)" in text
    assert "计划中" not in text


def test_the_download_columns_are_explained_in_chinese_and_keep_their_names(client):
    """A download's columns keep their names in both languages (reusers' scripts read
    them); what each means is told in the page's language, on /data/ and in the Excel
    file's "About" sheet."""
    import io

    import openpyxl

    html = client.get("/zh-hans/data/").content.decode()
    assert "<code>reference</code></td><td>该条目在其来源文件中的编号" in html
    workbook = openpyxl.load_workbook(
        io.BytesIO(client.get("/zh-hans/outcomes/export.xlsx").content)
    )
    outcomes, about = workbook["Outcomes"], workbook["About"]
    assert outcomes["A1"].value == "reference"
    cells = [row[0].value for row in about.iter_rows()]
    assert "数据版本" in cells and "列" in cells


def test_the_admin_speaks_chinese_on_chinese_pages(editor_client):
    outcome = Outcome.objects.get(reference="II.10")
    html = editor_client.get(f"/zh-hans/admin/outcomes/outcome/{outcome.pk}/change/").content
    html = html.decode()
    assert "条目" in html and "The item" not in html  # a fieldset's title
    assert "文本所说" in html and "What the text says" not in html
    assert "由我们拟定的简短标题" in html  # the title's help text
    assert "A short title of our own" not in html
    assert "机构，按文本提到的顺序" in html  # an inline's heading
    # Fields named by their attribute have a verbose name, translated.
    assert 'for="id_title">标题:' in html and 'for="id_slug">短名:' in html
    assert 'for="id_status">状态:' in html and "Title:" not in html
    html = editor_client.get("/zh-hans/admin/outcomes/organization/").content.decode()
    assert ">未审校<" in html and ">unreviewed<" not in html  # a list filter's choice
    assert "SIRONET membership" not in html
    assert "<h1>选择 机构 来修改</h1>" in html  # the model's name, translated


def test_the_admin_stays_english_at_english_addresses(editor_client):
    outcome = Outcome.objects.get(reference="II.10")
    html = editor_client.get(f"/admin/outcomes/outcome/{outcome.pk}/change/").content.decode()
    assert "The item" in html and "A short title of our own" in html
    assert "条目" not in html
    assert 'for="id_title">Title:' in html and 'for="id_slug">Slug:' in html
    assert 'for="id_status">Status:' in html
    html = editor_client.get("/admin/outcomes/organization/").content.decode()
    assert ">unreviewed<" in html and "未审校" not in html
    assert "<h1>Select organization to change</h1>" in html


def test_a_chinese_list_names_organizations_without_an_acronym_in_chinese(client):
    organization = Organization.objects.filter(acronym="").exclude(name_zh="").first()
    html = client.get(f"/zh-hans/outcomes/?organization={organization.slug}").content.decode()
    # Marked: no one has reviewed it yet.
    assert f'>{organization.name_zh} <small class="unreviewed">（译文未经审校）</small></a>' in html


def test_a_records_address_is_in_the_language_of_the_page_that_asks(db):
    outcome = Outcome.objects.get(reference="I.3")
    for _ in range(2):  # remembered per language (models.address), never mixed
        with translation.override("zh-hans"):
            assert outcome.get_absolute_url() == f"/zh-hans/outcomes/{outcome.slug}/"
        with translation.override("en"):
            assert outcome.get_absolute_url() == f"/outcomes/{outcome.slug}/"
