"""Reference tables the importers resolve codes with, each read once and cached.

- the CAMEO-to-PLOVER crosswalk (``data/CAMEO2PLOVER-2021.txt``, from the PLOVER
  repository), which gives a CAMEO code's PLOVER event, mode and contexts;
- the CAMEO code list (``data/cameo-codes.csv``, from the andybega/icews R package),
  which gives the code of an ICEWS event text when a file has no CAMEO column;
- the Correlates of War crosswalk (``data/cow_iso3.json``), COW state codes to ISO
  3166 alpha-3 codes with date ranges, each source cited in the file;
- the names of every ISO 3166 country, current (ISO 3166-1) and former (ISO 3166-3),
  from pycountry.

Every lookup is exact: a name is matched case-folded and whole, a code as written.
Where two answers remain, none is given.
"""

from __future__ import annotations

import csv
import io
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

from bilat.models.dates import PartialDate

_DATA = "bilat.importers"


def _text(name: str, encoding: str = "utf-8") -> str:
    return resources.files(_DATA).joinpath("data").joinpath(name).read_text(encoding)


@dataclass(frozen=True)
class Plover:
    """What the crosswalk gives for one CAMEO code."""

    event: str
    mode: str | None
    context: tuple[str, ...]


_LINE = re.compile(r"^([0-9]{2,4}):\s*([^#]*?)\s*(?:#.*)?$")


@cache
def cameo_to_plover() -> dict[str, Plover]:
    """CAMEO code to PLOVER event, mode and contexts, from CAMEO2PLOVER-2021.txt.

    A code the file lists twice with different answers (the root ``08``, CONCEDE and
    RETREAT) is left out: no answer is better than a guess. CAMEO 01 and 02 are not in
    the file: PLOVER dropped them.

    >>> cameo_to_plover()["041"]
    Plover(event='CONSULT', mode='phone', context=())
    >>> "08" in cameo_to_plover(), "010" in cameo_to_plover()
    (False, False)
    """
    seen: dict[str, Plover] = {}
    clash: set[str] = set()
    for raw in _text("CAMEO2PLOVER-2021.txt").splitlines():
        m = _LINE.match(raw.strip())
        if m is None:
            continue
        code, rest = m.groups()
        parts = [p.strip() for p in rest.split(",")]
        event = parts[0]
        mode = parts[1] if len(parts) > 1 and parts[1] else None
        context = (
            tuple(c.strip() for c in parts[2].split(";") if c.strip()) if len(parts) > 2 else ()
        )
        value = Plover(event, mode, context)
        if code in seen and seen[code] != value:
            clash.add(code)
        seen[code] = value
    return {k: v for k, v in seen.items() if k not in clash}


@cache
def cameo_codes() -> frozenset[str]:
    """Every code of the CAMEO code list (cameo-codes.csv): roots (two digits) and
    event codes (three and four).

    >>> "036" in cameo_codes(), "999" in cameo_codes()
    (True, False)
    """
    rows = csv.DictReader(io.StringIO(_text("cameo-codes.csv", "cp1252")))
    return frozenset(row["code"] for row in rows)


@cache
def cameo_codes_by_name() -> dict[str, str]:
    """Event codes (three and four digits) by their case-folded CAMEO name.

    Root codes (two digits) share their names with their ``0`` codes ("Consult" is
    both 04 and 040); event data sets code events with three or four digits, so only
    those are looked up, and each of their names is unique.

    >>> cameo_codes_by_name()["express intent to meet or negotiate"]
    '036'
    """
    out: dict[str, str] = {}
    dupes: set[str] = set()
    rows = csv.DictReader(io.StringIO(_text("cameo-codes.csv", "cp1252")))
    for row in rows:
        code, name = row["code"], row["name"].strip().casefold()
        if len(code) < 3:
            continue
        if name in out and out[name] != code:
            dupes.add(name)
        out[name] = code
    return {k: v for k, v in out.items() if k not in dupes}


@dataclass(frozen=True)
class CowRow:
    """One row of the COW crosswalk."""

    code: int
    name: str
    iso3: str
    start: PartialDate
    end: PartialDate | None


@cache
def cow_crosswalk() -> tuple[CowRow, ...]:
    """The rows of ``data/cow_iso3.json``."""
    data: dict[str, Any] = json.loads(_text("cow_iso3.json"))
    return tuple(
        CowRow(r[0], r[2], r[3], PartialDate(r[4]), PartialDate(r[5]) if r[5] else None)
        for r in data["rows"]
    )


@cache
def _cow_by_code() -> dict[int, tuple[CowRow, ...]]:
    out: dict[int, list[CowRow]] = {}
    for row in cow_crosswalk():
        out.setdefault(row.code, []).append(row)
    return {k: tuple(v) for k, v in out.items()}


def cow_to_iso3(code: int, when: PartialDate) -> str | None:
    """The ISO alpha-3 code COW *code* stood for on *when*, or None when no row, or
    more than one, may hold that date.

    >>> from bilat.models.dates import PartialDate as D
    >>> cow_to_iso3(365, D("1980-05-01")), cow_to_iso3(365, D("2018-06-01"))
    ('SUN', 'RUS')
    >>> cow_to_iso3(365, D("1992")) is None   # the year SUN gave way to RUS
    True
    """
    hits = {
        row.iso3
        for row in _cow_by_code().get(code, ())
        if row.start.earliest <= when.latest
        and (row.end is None or when.earliest <= row.end.latest)
    }
    return hits.pop() if len(hits) == 1 else None


def _fold(text: str) -> str:
    return " ".join(text.split()).casefold()


@cache
def _iso_names() -> tuple[dict[str, frozenset[str]], dict[str, str]]:
    """(names of each code, code of each unambiguous name). Names: ISO 3166 name,
    official and common name, the part of a former country's name before its comma
    ("Czechoslovakia"), and the COW state names the crosswalk maps to the code."""
    import pycountry

    names: dict[str, set[str]] = {}

    def add(code: str, name: str | None) -> None:
        if name:
            names.setdefault(code, set()).add(_fold(name))

    for c in pycountry.countries:
        for attr in ("name", "official_name", "common_name"):
            add(c.alpha_3, getattr(c, attr, None))
    for c in pycountry.historic_countries:
        add(c.alpha_3, c.name)
        add(c.alpha_3, c.name.split(",")[0])
    for rows in _cow_by_code().values():
        # a COW name names the state today: the code of its open-ended row, where
        # there is one (Russia is RUS, not SUN), else of its rows (GDR is DDR)
        ongoing = [r for r in rows if r.end is None] or list(rows)
        for row in ongoing:
            add(row.iso3, row.name)
    by_name: dict[str, set[str]] = {}
    for code, ns in names.items():
        for n in ns:
            by_name.setdefault(n, set()).add(code)
    unique = {n: next(iter(cs)) for n, cs in by_name.items() if len(cs) == 1}
    return {k: frozenset(v) for k, v in names.items()}, unique


def iso3_of_name(name: str) -> str | None:
    """The ISO alpha-3 code whose ISO 3166 (or COW) name is exactly *name*, case-folded.

    >>> iso3_of_name("Russian Federation"), iso3_of_name("russia"), iso3_of_name("Russ")
    ('RUS', 'RUS', None)
    """
    return _iso_names()[1].get(_fold(name))


def names_of(iso3: str) -> frozenset[str]:
    """Every case-folded name :func:`iso3_of_name` knows for *iso3*."""
    return _iso_names()[0].get(iso3, frozenset())


def is_iso3(code: str) -> bool:
    """Whether *code* is an alpha-3 code bilat accepts (current, former, or XKX)."""
    from bilat.models.countries import country_codes

    return code in country_codes()


@cache
def _alpha2() -> dict[str, list[tuple[str, PartialDate | None]]]:
    import pycountry

    out: dict[str, list[tuple[str, PartialDate | None]]] = {}
    for c in pycountry.countries:
        out.setdefault(c.alpha_2, []).append((c.alpha_3, None))
    for c in pycountry.historic_countries:
        a2 = getattr(c, "alpha_2", None)
        withdrawn = getattr(c, "withdrawal_date", None)
        if a2:
            out.setdefault(a2, []).append(
                (c.alpha_3, PartialDate(withdrawn) if withdrawn else None)
            )
    return out


def iso2_to_iso3(code: str, when: PartialDate, name: str | None = None) -> str | None:
    """The alpha-3 code an ISO alpha-2 *code* stood for on *when*.

    A former code (ISO 3166-3) holds until its withdrawal date and is preferred to the
    current code that took its letters later (BY is BYS, the Byelorussian SSR, until
    1992); two former codes that both hold (CS: Czechoslovakia and Serbia and
    Montenegro) are told apart by *name*, matched exactly; else None.

    A current code stands for the state that holds it today, which may have had another
    code on *when*: data that writes today's code for every year (the unvotes tables
    write RU for the USSR, MM for Burma) is read as :func:`cow_to_iso3` reads the
    state's COW code on that date, so that both columns of a file name one voter.

    >>> from bilat.models.dates import PartialDate as D
    >>> iso2_to_iso3("CS", D("1946-01-01"), "Czechoslovakia"), iso2_to_iso3("IN", D("1946"))
    ('CSK', 'IND')
    >>> iso2_to_iso3("RU", D("1946-01-01")), iso2_to_iso3("RU", D("2000-01-01"))
    ('SUN', 'RUS')
    """
    candidates = _alpha2().get(code, [])
    former = [c for c, end in candidates if end is not None and when.latest <= end.latest]
    if len(former) > 1 and name:
        former = [c for c in former if _fold(name) in names_of(c)]
    if former:
        return former[0] if len(former) == 1 else None
    current = [c for c, end in candidates if end is None]
    return _as_on(current[0], when) if len(current) == 1 else None


def _as_on(iso3: str, when: PartialDate) -> str:
    """*iso3*, a state's code today, as the COW crosswalk gives the same state's code on
    *when* (RUS in 1946 is SUN), or *iso3* where the crosswalk gives none or several."""
    rows = [r for r in cow_crosswalk() if r.iso3 == iso3 and r.end is None]
    if len(rows) != 1:
        return iso3
    return cow_to_iso3(rows[0].code, when) or iso3


def state_name(iso3: str) -> str:
    """The name a generated State record carries: the common name where pycountry has
    one, else the ISO name."""
    import pycountry

    c = pycountry.countries.get(alpha_3=iso3)
    if c is not None:
        return str(getattr(c, "common_name", None) or c.name)
    h = pycountry.historic_countries.get(alpha_3=iso3)
    if h is not None:
        return str(h.name)
    from bilat.models.countries import country_codes

    return country_codes()[iso3]


__all__ = [
    "CowRow",
    "Plover",
    "cameo_codes",
    "cameo_codes_by_name",
    "cameo_to_plover",
    "cow_crosswalk",
    "cow_to_iso3",
    "is_iso3",
    "iso2_to_iso3",
    "iso3_of_name",
    "names_of",
    "state_name",
]
