"""Who is sending (as a salted hash), and how many reports they may send."""

import ipaddress
import time

from django.core.cache import caches
from django.utils.crypto import salted_hmac

from edge.middleware import client_address

# Reports one address may send per window, and all addresses together.
PER_ADDRESS = 5
OVERALL = 100
WINDOW = 3600  # seconds


def sender(address):
    """Who a limit counts: an IPv4 address, or an IPv6 address's /64 network (one
    subscriber gets a whole /64, so counting single IPv6 addresses counts nothing)."""
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return address
    if ip.version == 4:
        return str(ip)
    if ip.ipv4_mapped:
        return str(ip.ipv4_mapped)
    return str(ipaddress.ip_network(f"{ip}/64", strict=False))


def client_hash(request):
    """A salted hash of the sender (the address itself is never stored)."""
    return salted_hmac(
        "corrections.client", sender(client_address(request)), algorithm="sha256"
    ).hexdigest()


def _key(client):
    return f"corrections:sent:{client}"


def recent(client):
    """Times (seconds) of this sender's reports within the window; from the shared cache."""
    now = time.time()
    return [t for t in caches["default"].get(_key(client), []) if now - t < WINDOW]


def over_limit(client):
    return len(recent(client)) >= PER_ADDRESS


def count(client):
    """Record one more report from this sender. Not atomic: two at the same instant may
    both pass, which a limit against floods can afford."""
    times = [*recent(client), time.time()]
    caches["default"].set(_key(client), times[-PER_ADDRESS:], WINDOW)
