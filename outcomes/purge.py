"""Purging the shared caches in front (Varnish; HTTP_CACHE_PURGE_URLS) after a change.

Every change alters counts and lists on many pages, so the whole catalogue is purged:
`PURGE /` with `xkey-purge: catalogue`, sent to each proxy when the change commits
(versioning.bump_data_version). The finer keys pages carry (outcome-…, country-…) are
there for CDNs that purge by key. A proxy that does not answer within a second is
logged and passed over: its pages still expire after HTTP_CACHE_SECONDS.
"""

import http.client
import logging
import urllib.request

from django.conf import settings

logger = logging.getLogger(__name__)

TIMEOUT = 1  # seconds, per proxy


def catalogue_changed():
    for base in settings.HTTP_CACHE_PURGE_URLS:
        request = urllib.request.Request(
            base.rstrip("/") + "/", method="PURGE", headers={"xkey-purge": "catalogue"}
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT):
                pass
        except (OSError, http.client.HTTPException) as error:  # a change never fails for it
            logger.warning("Purging the catalogue from %s failed: %s", base, error)
