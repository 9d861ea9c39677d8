"""Laws linking the models and the exported JSON Schemas."""

from __future__ import annotations

import json

import pytest
from conftest import schema_validator
from hypothesis import given
from strategies import records

from bilat.models import RECORD_TYPES, Record


@pytest.mark.parametrize("kind", list(RECORD_TYPES))
def test_every_accepted_instance_is_schema_valid_and_round_trips(kind: str) -> None:
    model = RECORD_TYPES[kind]

    @given(records(model))
    def law(record: Record) -> None:
        dumped = record.model_dump(mode="json")
        errors = [e.message for e in schema_validator(kind).iter_errors(dumped)]
        assert errors == []
        # JSON round trip is lossless, through text
        again = model.model_validate_json(record.model_dump_json())
        assert again == record
        # and through plain JSON data, as a reader in another language would produce
        assert model.model_validate(json.loads(json.dumps(dumped))) == record

    law()
