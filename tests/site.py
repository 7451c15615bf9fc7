"""Every public page type, in English and Chinese, as the page tests visit them."""

PAGES = {
    "home": "/",
    "list": "/outcomes/",
    "filtered list": "/outcomes/?country=mm&category=livelihood",
    "searched list": "/outcomes/?q=school",
    "empty list": "/outcomes/?q=nothingmatchesthis",
    "unknown value": "/outcomes/?country=zz",
    "list with grouping reach": "/outcomes/?country=th&via=1",
    "outcome": "/outcomes/nine-schools-co-built-by-cfpd-and-myanmar-alinyaung-foundation/",
    "organization list": "/organizations/",
    "organization": "/organizations/cfpd/",
    "country list": "/countries/",
    "country": "/countries/mm/",
    "region list": "/regions/",
    "region": "/regions/mekong/",
    "continent": "/regions/asia/",
    "founded body": "/organizations/belt-and-road-industrial-and-commercial-alliance/",
    "category list": "/categories/",
    "category": "/categories/culture/",
    "about": "/about/",
    "source": "/sources/sironet-cooperation-outcomes/",
    "data": "/data/",
    "API docs": "/api/v1/docs",
    "correction form": "/corrections/new/",
    "outcome correction form": (
        "/outcomes/nine-schools-co-built-by-cfpd-and-myanmar-alinyaung-foundation/correction/"
    ),
    "correction thanks": "/corrections/thanks/",
    "staff login": "/account/login/",
    "404": "/no/such/page/",
}
# The same pages in Chinese (the API's documentation has no Chinese address).
CHINESE_PAGES = {
    f"{name} (zh)": f"/zh-hans{path}"
    for name, path in PAGES.items()
    if not path.startswith("/api/")
}
WCAG = {"runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]}}

# The release pages, once tests.conftest.publish_releases() has published 2026.1 (the
# document) and 2026.2 (after a correction).
RELEASE_PAGES = {
    "releases": "/releases/",
    "release": "/releases/2026.2/",
    "release comparison": "/releases/2026.1/compare/2026.2/",
    "outcome as of a release": f"{PAGES['outcome']}?release=2026.1",
    "outcome changed since a release": PAGES["outcome"],
    "organization as of a release": f"{PAGES['organization']}?release=2026.1",
}
RELEASE_PAGES |= {f"{name} (zh)": f"/zh-hans{path}" for name, path in RELEASE_PAGES.items()}
