"""Pydantic annotations for strings drawn from a list known at validation time.

The list is read lazily (on first validation), so importing the models loads no
data files, and the JSON Schema carries the same list as an ``enum``, so schema
consumers in other languages check exactly what the models check.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema


class CodeList:
    """Base annotation: subclasses say which codes are allowed and how to refuse others."""

    def allowed(self) -> frozenset[str]:
        """The accepted codes, as a set for fast membership tests."""
        raise NotImplementedError

    def ordered(self) -> Sequence[str]:
        """The accepted codes in the order the JSON Schema lists them."""
        raise NotImplementedError

    def refuse(self, value: str) -> PydanticCustomError:
        """The error for a value that is not a code."""
        raise NotImplementedError

    def schema_extra(self) -> dict[str, Any]:
        """Further JSON Schema keywords (a description, an ``x-`` annotation)."""
        return {}

    def _check(self, value: str) -> str:
        if value not in self.allowed():
            raise self.refuse(value)
        return value

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {"type": "string", "enum": list(self.ordered()), **self.schema_extra()}
