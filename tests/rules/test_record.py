"""An outcome's public record is defined once (outcomes/record.py): every model field is
published or named private, and every list derived from the record agrees with it."""

import csv
import io
import json

import openpyxl
import pytest
from django.db import connection

from api.schemas import OutcomeRecord
from downloads import package
from outcomes import checks, record
from outcomes.models import Outcome

ROW_MODELS = [model for field in record.FIELDS for model in field.publishes if model is not Outcome]
# The records outcomes name are published as their own data package tables.
NAMED = {table.model: table for table in package.TABLES if table.model in record.PRIVATE}


def model_fields(model):
    """The fields a model holds itself (not relations other models hold to it)."""
    return {
        field.name
        for field in model._meta.get_fields()
        if field.concrete or (field.many_to_many and not field.auto_created)
    }


def unaccounted(model):
    """Fields of `model` neither published nor named private."""
    published = {name for field in record.FIELDS for name in field.publishes.get(model, ())}
    if model in NAMED and model not in (Outcome, *ROW_MODELS):
        published |= set(NAMED[model].fields)
    return model_fields(model) - published - set(record.PRIVATE.get(model, ()))


@pytest.mark.parametrize("model", sorted(record.PRIVATE, key=lambda model: model.__name__))
def test_every_field_is_published_or_named_private(model):
    assert unaccounted(model) == set(), (
        f"{model.__name__}: publish these fields (outcomes/record.py FIELDS for an outcome "
        "and its rows, downloads/package.py TABLES for the records outcomes name) or name "
        "them in record.PRIVATE with the reason (DEVELOPERS.md, Adding a field)."
    )


def test_a_field_neither_published_nor_private_is_found(monkeypatch):
    private = dict(record.PRIVATE)
    private[Outcome] = tuple(name for name in private[Outcome] if name != "search_text")
    monkeypatch.setattr(record, "PRIVATE", private)
    assert unaccounted(Outcome) == {"search_text"}


def test_no_field_is_both_published_and_private():
    for field in record.FIELDS:
        for model, names in field.publishes.items():
            assert not set(names) & set(record.PRIVATE.get(model, ())), (field.name, model)


def test_every_model_the_record_draws_on_is_accounted_for():
    drawn = {model for field in record.FIELDS for model in field.publishes}
    assert drawn <= set(record.PRIVATE)


def test_the_api_schema_has_the_records_fields_types_and_meanings():
    schema = OutcomeRecord.model_json_schema()
    assert list(schema["properties"]) == [field.name for field in record.FIELDS]
    for field in record.FIELDS:
        assert schema["properties"][field.name]["description"] == str(field.meaning)


def test_the_committed_openapi_schema_has_the_records_fields():
    from tests.data.test_api_schema import SCHEMA_FILE

    committed = json.loads(SCHEMA_FILE.read_text())["components"]["schemas"]["OutcomeRecord"]
    assert set(committed["properties"]) == {field.name for field in record.FIELDS}  # (sorted)


def test_the_data_package_has_the_records_own_columns_and_a_table_per_part():
    tables = {table.name: table for table in package.TABLES}
    own = [
        name
        for field in record.FIELDS
        for name in field.publishes.get(Outcome, ())
        if not Outcome._meta.get_field(name).many_to_many
    ]
    assert sorted(tables["outcomes"].fields) == sorted(own)
    of_model = {table.model: table for table in package.TABLES}
    for field in record.FIELDS:
        if field.table:
            assert field.table in tables
            for model, names in field.publishes.items():
                if model is not Outcome:
                    links = [model._meta.get_field(n) for n in names]
                    links = [link for link in links if link.many_to_many]
                    # A record's links to outcomes are a table of their own (a report's).
                    for link in links:
                        assert link.remote_field.through in of_model, (model, link.name)
                    held = set(names) - {link.name for link in links}
                    assert held <= set(of_model[model].fields), model


@pytest.mark.django_db
def test_every_download_has_the_records_columns_or_fields(client):
    csv_header = next(
        csv.reader(
            io.StringIO(
                b"".join(client.get("/outcomes/export.csv").streaming_content).decode("utf-8-sig")
            )
        )
    )
    columns = [column.name for column in record.COLUMNS]
    assert csv_header == columns
    workbook = openpyxl.load_workbook(io.BytesIO(client.get("/outcomes/export.xlsx").content))
    assert list(next(workbook["Outcomes"].iter_rows(values_only=True))) == columns
    about = [row[0] for row in workbook["About"].iter_rows(values_only=True)]
    assert about[about.index("Column") + 1 :] == columns
    records = json.loads(b"".join(client.get("/outcomes/export.json").streaming_content))
    assert list(records[0]) == [field.name for field in record.FIELDS]
    answer = client.get("/api/v1/outcomes/").json()["results"][0]
    assert list(answer) == [field.name for field in record.FIELDS]


@pytest.mark.django_db
def test_a_missing_sqlite_search_trigger_fails_the_check():
    if connection.vendor != "sqlite":
        pytest.skip("the triggers are SQLite's (PostgreSQL has its GIN index)")
    assert checks.search_index(databases=["default"]) == []
    with connection.cursor() as cursor:  # rolled back with the test's transaction
        cursor.execute("DROP TRIGGER outcome_fts_update")
    [error] = checks.search_index(databases=["default"])
    assert error.id == "outcomes.E001"
    assert "outcome_fts_update" in error.msg
