"""The worker purges the catalogue from the caches in front (HTTP_CACHE_PURGE_URLS) after a
change, once the replicas have replayed it (docs/scaling.md)."""

import http.client
import logging
import time
import urllib.request

from django.conf import settings

from edge import routing
from outcomes.dataversion import current_version

logger = logging.getLogger(__name__)

TIMEOUT = 1  # seconds, per proxy
REPLICA_WAIT = 60  # seconds a change waits for the replicas before it is purged anyway


def purge_catalogue():
    for base in settings.HTTP_CACHE_PURGE_URLS:
        request = urllib.request.Request(
            base.rstrip("/") + "/", method="PURGE", headers={"xkey-purge": "catalogue"}
        )
        try:
            urllib.request.urlopen(request, timeout=TIMEOUT).close()
        except (OSError, http.client.HTTPException) as error:  # a change never fails for it
            logger.warning("Purging the catalogue from %s failed: %s", base, error)


class PurgeAfterChanges:
    """Purge once every replica up has replayed the version, or REPLICA_WAIT after the first
    change not yet purged. A new worker purges once: changes made while none ran are purged."""

    def __init__(self):
        self.purged = None  # the tag of the version last purged
        self.waiting_since = None  # when the first change not yet purged was seen

    def __call__(self):
        if not settings.HTTP_CACHE_PURGE_URLS:
            return
        version = current_version()
        if version.tag == self.purged:
            return
        if self.waiting_since is None:
            self.waiting_since = time.monotonic()
        behind = [
            alias
            for alias in routing.replica_aliases()
            if not routing.is_down(alias) and routing.replica_version(alias) < version.number
        ]
        if behind:
            if time.monotonic() - self.waiting_since < REPLICA_WAIT:
                return  # asked again on the worker's next round
            logger.warning(
                "Replicas %s have not replayed version %s: purging anyway.", behind, version.number
            )
        purge_catalogue()
        logger.info("Purged the catalogue from the proxies at version %s.", version.number)
        self.purged, self.waiting_since = version.tag, None
