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

from pydantic_core import PydanticCustomError

from bilat.codelist import CodeList

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


@cache
def _code_set() -> frozenset[str]:
    return frozenset(country_codes())


class _CountryCode(CodeList):
    """A known alpha-3 code."""

    def allowed(self) -> frozenset[str]:
        return _code_set()

    def ordered(self) -> list[str]:
        return sorted(country_codes())

    def refuse(self, value: str) -> PydanticCustomError:
        hint = " (codes are upper case)" if value.upper() in self.allowed() else ""
        return PydanticCustomError(
            "country_code",
            "is not an ISO 3166 alpha-3 country code{hint}",
            {"value": value, "hint": hint},
        )

    def schema_extra(self) -> dict[str, Any]:
        return {
            "description": "ISO 3166-1 alpha-3 code, a former state's ISO 3166-3 alpha-3 "
            "code, or XKX for Kosovo."
        }


CountryCode = Annotated[str, _CountryCode()]
