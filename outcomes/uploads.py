"""What one import file may hold, checked on the raw bytes before anything parses it: import-
export reads a whole file before a resource can count its rows (issue 27). The checks stream
and stop at the first row or cell past a limit, or at an XLSX sheet's declared size."""

import csv
import io
import json
import re
import zipfile
from xml.parsers import expat

from django import forms
from django.utils.translation import gettext
from openpyxl.utils.cell import column_index_from_string

MAX_IMPORT_MB = 2
MAX_UNPACKED_MB = 20  # an XLSX file is a zip: a small one can unpack to gigabytes
MAX_IMPORT_ROWS = 2000  # rows of records, the header row not counted
MAX_IMPORT_COLUMNS = 50  # an outcome's export has 16
CELL = re.compile(r"([A-Z]{1,3})([0-9]+)")


def too_many_rows():
    return forms.ValidationError(
        gettext(
            "This file has more than %(most)s rows; an import takes at most %(most)s. "
            "Split it into smaller files."
        )
        % {"most": f"{MAX_IMPORT_ROWS:,}"}
    )


def too_many_columns(row):
    return forms.ValidationError(
        gettext("Row %(row)s has more than %(most)s columns; an import takes at most %(most)s.")
        % {"row": f"{row:,}", "most": MAX_IMPORT_COLUMNS}
    )


def unreadable(kind):
    return forms.ValidationError(
        gettext("This file cannot be read as %(format)s: export the records and edit that file.")
        % {"format": kind}
    )


def check_upload(upload, kind):
    """Refuse `upload` (an UploadedFile said to be `kind`: "csv", "xlsx" or "json") with
    a ValidationError when it holds more than an import takes; leave it at its start."""
    if upload.size > MAX_IMPORT_MB * 2**20:
        raise forms.ValidationError(
            gettext(
                "This file is %(size)s MB; an import takes at most %(megabytes)s MB. "
                "Split it into smaller files."
            )
            % {"size": f"{upload.size / 2**20:.1f}", "megabytes": MAX_IMPORT_MB}
        )
    zipped = zipfile.is_zipfile(upload)
    upload.seek(0)
    try:
        if kind == "xlsx" or zipped:
            check_workbook(upload)
        elif kind == "json":
            check_json(upload.read())
        else:
            check_csv(upload.read())
    finally:
        upload.seek(0)


def check_csv(data):
    rows = 0
    try:
        text = data.decode("utf-8-sig", errors="replace")
        for number, row in enumerate(csv.reader(io.StringIO(text, newline="")), start=1):
            if len(row) > MAX_IMPORT_COLUMNS:
                raise too_many_columns(number)
            rows += bool(row)  # a blank line is no row
            if rows > MAX_IMPORT_ROWS + 1:
                raise too_many_rows()
    except csv.Error:
        raise unreadable("CSV") from None


def check_json(data):
    try:
        records = json.loads(data)
    except (ValueError, RecursionError):
        raise unreadable("JSON") from None
    if not isinstance(records, list) or not all(isinstance(row, dict) for row in records):
        raise unreadable("JSON")
    if len(records) > MAX_IMPORT_ROWS:
        raise too_many_rows()
    for number, row in enumerate(records, start=2):
        if len(row) > MAX_IMPORT_COLUMNS:
            raise too_many_columns(number)


def check_workbook(upload):
    try:
        archive = zipfile.ZipFile(upload)
        members = archive.infolist()
    except zipfile.BadZipFile:
        raise unreadable("XLSX") from None
    unpacked = sum(member.file_size for member in members)
    if unpacked > MAX_UNPACKED_MB * 2**20:
        raise forms.ValidationError(
            gettext(
                "This file unpacks to %(size)s MB; an XLSX import takes at most "
                "%(megabytes)s MB unpacked."
            )
            % {"size": f"{unpacked / 2**20:.0f}", "megabytes": MAX_UNPACKED_MB}
        )
    for member in members:
        if re.fullmatch(r"xl/worksheets/[^/]+\.xml", member.filename):
            with archive.open(member) as sheet:
                check_sheet(sheet)


def check_sheet(sheet):
    """Stream a worksheet's XML: its declared dimension, each row's number and each cell's
    column, stopping at the first past a limit (openpyxl pads rows up to the declared or
    the highest cell, so one cell at row 20,000 or column XFD is refused as such)."""
    rows = in_row = 0

    def cell(reference):
        found = CELL.fullmatch(reference)
        if not found:
            raise unreadable("XLSX")
        letters, row = found.groups()
        if column_index_from_string(letters) > MAX_IMPORT_COLUMNS:
            raise too_many_columns(int(row))
        if int(row) > MAX_IMPORT_ROWS + 1:
            raise too_many_rows()

    def start(name, attributes):
        nonlocal rows, in_row
        name = name.rpartition(" ")[2]
        if name == "dimension":
            cell(attributes.get("ref", "A1").rpartition(":")[2])
        elif name == "row":
            rows, in_row = rows + 1, 0
            if rows > MAX_IMPORT_ROWS + 1:
                raise too_many_rows()
            cell(f"A{attributes.get('r', rows)}")
        elif name == "c":
            in_row += 1
            if in_row > MAX_IMPORT_COLUMNS:
                raise too_many_columns(rows)
            if "r" in attributes:
                cell(attributes["r"])

    parser = expat.ParserCreate(namespace_separator=" ")
    parser.StartElementHandler = start
    try:
        while chunk := sheet.read(2**16):
            parser.Parse(chunk, False)
        parser.Parse(b"", True)
    except expat.ExpatError:
        raise unreadable("XLSX") from None
