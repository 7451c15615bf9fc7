"""Who is sending (as a salted hash), and how many reports they may send."""

import ipaddress
import time

from django.db.models import F
from django.utils.crypto import salted_hmac

from corrections.models import SenderCount
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


def window_left():
    """Seconds until the window ends and each sender may send again."""
    return WINDOW - int(time.time()) % WINDOW


def take(client):
    """Count one more report from this sender, unless it has sent PER_ADDRESS in this
    window: whether it was counted. Windows are fixed hours; older ones are forgotten."""
    window = int(time.time()) // WINDOW
    SenderCount.objects.filter(window__lt=window).delete()
    SenderCount.objects.get_or_create(sender=client, window=window)
    counted = SenderCount.objects.filter(sender=client, window=window, sent__lt=PER_ADDRESS)
    return counted.update(sent=F("sent") + 1) == 1
