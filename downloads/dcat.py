"""The catalogue described in DCAT (W3C's Data Catalog Vocabulary, version 3) with rdflib:
a dcat:Catalog holding the catalogue as a dcat:Dataset and its releases as a
dcat:DatasetSeries, each file a dcat:Distribution (docs/reuse.md, "Releases"). The tests
check it against SHACL shapes written from DCAT-AP 3.0's property tables."""

from django.conf import settings
from django.urls import reverse
from rdflib import RDF, XSD, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, OWL

from downloads import exports
from downloads.releases import release_downloads
from outcomes.citations import CATALOGUE, CATALOGUE_EDITORS
from outcomes.models import Release

DESCRIPTION = (
    "The cooperation outcomes that members of the Silk Road NGO Cooperation Network "
    "(SIRONET) published, with the organizations, countries, groupings, figures and "
    "programmes each names, as the catalogue holds them."
)
# DCAT 3 (rdflib's DCAT namespace is version 2's: no dataset series, no version).
DCAT = Namespace("http://www.w3.org/ns/dcat#")
MEDIA_TYPES = "https://www.iana.org/assignments/media-types/"


def catalogue_graph(request):
    """The graph of the catalogue and its releases (one query: the releases)."""
    graph = Graph(bind_namespaces="core")
    for prefix, namespace in (("dcat", DCAT), ("dct", DCTERMS), ("foaf", FOAF)):
        graph.bind(prefix, namespace)

    def here(path):
        return URIRef(request.build_absolute_uri(path))

    def describe(node, kind, title, description):
        graph.add((node, RDF.type, kind))
        graph.add((node, DCTERMS.title, Literal(title, lang="en")))
        graph.add((node, DCTERMS.description, Literal(description, lang="en")))
        graph.add((node, DCTERMS.publisher, editors))
        graph.add((node, DCTERMS.license, URIRef(settings.CATALOGUE_LICENSE["path"])))

    def distribute(dataset, files):
        for name, address, media_type in files:
            file = BNode()
            graph.add((dataset, DCAT.distribution, file))
            graph.add((file, RDF.type, DCAT.Distribution))
            graph.add((file, DCTERMS.title, Literal(name, lang="en")))
            graph.add((file, DCAT.accessURL, here(address)))
            graph.add((file, DCAT.downloadURL, here(address)))
            media = media_type.split(";")[0]
            graph.add((file, DCAT.mediaType, URIRef(MEDIA_TYPES + media)))

    editors = here(reverse("outcomes:about") + "#editors")
    graph.add((editors, RDF.type, FOAF.Agent))
    graph.add((editors, FOAF.name, Literal(CATALOGUE_EDITORS, lang="en")))

    catalog, dataset = here(reverse("downloads:data")), here(reverse("outcomes:home"))
    series = here(reverse("downloads:release_list"))
    describe(catalog, DCAT.Catalog, CATALOGUE, f"The data of the {CATALOGUE}.")
    graph.add((catalog, FOAF.homepage, dataset))
    describe(dataset, DCAT.Dataset, CATALOGUE, DESCRIPTION + " Today's data.")
    describe(series, DCAT.DatasetSeries, f"{CATALOGUE}: releases", "Its numbered releases.")
    graph.add((catalog, DCAT.dataset, dataset))
    graph.add((catalog, DCAT.dataset, series))
    distribute(dataset, exports.distributions())
    for release in Release.objects.listed():
        node = here(release.get_absolute_url())
        describe(node, DCAT.Dataset, f"{CATALOGUE}, release {release.number}", release.note)
        graph.add((node, DCAT.inSeries, series))
        graph.add((node, DCAT.version, Literal(release.number)))
        graph.add((node, OWL.versionInfo, Literal(release.number)))
        issued = release.published.date().isoformat()
        graph.add((node, DCTERMS.issued, Literal(issued, datatype=XSD.date)))
        if release.doi:
            graph.add((node, DCTERMS.identifier, Literal(f"https://doi.org/{release.doi}")))
        graph.add((catalog, DCAT.dataset, node))
        distribute(node, release_downloads(release))
    return graph
