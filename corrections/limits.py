"""Who is sending (as a salted hash), and how many reports they may send."""

import ipaddress
import time

from django.db.models import F
from django.utils.crypto import salted_hmac

from corrections.models import SenderCount
from edge.middleware import client_address

PER_ADDRESS = 5  # reports one address may send per window
OVERALL = 100  # all addresses together
WINDOW = 3600  # seconds


def sender(address):
    """Who a limit counts: an IPv4 address, or an IPv6 address's /64 network (one subscriber
    gets a whole /64)."""
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
    address = sender(client_address(request))
    return salted_hmac("corrections.client", address, algorithm="sha256").hexdigest()


def take(client):
    """Whether one more report from this sender was counted (not past PER_ADDRESS in this
    window). Windows are fixed hours; older ones are forgotten."""
    window = int(time.time()) // WINDOW
    SenderCount.objects.filter(window__lt=window).delete()
    SenderCount.objects.get_or_create(sender=client, window=window)
    counted = SenderCount.objects.filter(sender=client, window=window, sent__lt=PER_ADDRESS)
    return counted.update(sent=F("sent") + 1) == 1
