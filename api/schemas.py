"""The API's schema of an outcome, derived from the outcome's public record
(outcomes/record.py): a field added there appears here, with its type and meaning."""

from typing import Any

from pydantic import Field, create_model

from outcomes import record

FIELDS: dict[str, Any] = {
    field.name: (field.type, Field(description=str(field.meaning))) for field in record.FIELDS
}

OutcomeRecord = create_model(
    "OutcomeRecord",
    __doc__="An outcome: its reference within its source, its slug, and what the catalogue "
    "holds of it (the JSON download's record).",
    **FIELDS,
)
