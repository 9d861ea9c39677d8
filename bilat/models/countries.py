"""ISO 3166 alpha-3 country codes: current states, former states, and Kosovo.

The list is descriptive, as diplomatic data needs: it holds every current ISO 3166-1
alpha-3 code, the alpha-3 codes of former countries from ISO 3166-3 (SUN for the
Soviet Union, YUG, CSK, DDR, ...), and XKX, the code the European Union, the IMF and
the World Bank use for Kosovo, which ISO 3166-1 does not list. The codes come from
pycountry, whose version range is pinned in pyproject.toml.
"""

from __future__ import annotations

from functools import cache
from typing import Annotated, Any

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema, PydanticCustomError, core_schema

#: Codes used for states that ISO 3166-1 does not list.
EXTRA_CODES = {"XKX": "Kosovo"}


@cache
def country_codes() -> dict[str, str]:
    """Every accepted alpha-3 code with its name, current codes first.

    >>> country_codes()["IND"]
    'India'
    >>> country_codes()["SUN"]
    'USSR, Union of Soviet Socialist Republics'
    """
    import pycountry

    codes: dict[str, str] = {c.alpha_3: c.name for c in pycountry.countries}
    for c in pycountry.historic_countries:
        codes.setdefault(c.alpha_3, c.name)
    for code, name in EXTRA_CODES.items():
        codes.setdefault(code, name)
    return codes


def is_current(code: str) -> bool:
    """True when *code* is a current ISO 3166-1 alpha-3 code (or Kosovo's XKX)."""
    import pycountry

    return pycountry.countries.get(alpha_3=code) is not None or code in EXTRA_CODES


class _CountryCode:
    """Pydantic annotation: a known alpha-3 code, exported to JSON Schema as an enum."""

    @staticmethod
    def _check(value: str) -> str:
        if value not in country_codes():
            hint = " (codes are upper case)" if value.upper() in country_codes() else ""
            raise PydanticCustomError(
                "country_code",
                "is not an ISO 3166 alpha-3 country code{hint}",
                {"value": value, "hint": hint},
            )
        return value

    def __get_pydantic_core_schema__(
        self, source: type[Any], handler: GetCoreSchemaHandler
    ) -> CoreSchema:
        return core_schema.no_info_after_validator_function(self._check, handler(source))

    def __get_pydantic_json_schema__(
        self, schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "enum": sorted(country_codes()),
            "description": "ISO 3166-1 alpha-3 code, a former state's ISO 3166-3 alpha-3 "
            "code, or XKX for Kosovo.",
        }


CountryCode = Annotated[str, _CountryCode()]
