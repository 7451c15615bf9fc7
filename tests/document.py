"""The source document, read from its text: what the fixture is checked against."""

import re
from functools import cache
from pathlib import Path

DOCUMENT = (
    Path(__file__).resolve().parent.parent
    / "fixtures"
    / "source"
    / "sironet-cooperation-outcomes.txt"
)


@cache
def document_text():
    return DOCUMENT.read_text(encoding="utf-8")


@cache
def document_items():
    """[(reference, text)] for every numbered item, in the document's order."""
    items = []
    section = None
    for line in document_text().splitlines():
        if heading := re.match(r"^(I|II|III|IV|V)\. \S", line):
            section = heading[1]
        elif (item := re.match(r"^(\d+)\. (.+)$", line)) and section:
            items.append((f"{section}.{item[1]}", item[2].strip()))
    return items
