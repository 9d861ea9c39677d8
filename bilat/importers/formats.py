"""Readers for each coded-event format: rows in, coded-event fields out.

Each format is a :class:`Format`: ``rows(path)`` yields ``(line, raw)`` for every row
of a file, streaming; ``convert(raw, resolver)`` turns one row into the fields of a
:class:`~bilat.models.events.CodedEvent`, or raises :class:`Reject` with the reason.
A file that is not of the format at all raises :class:`FileRejected`.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
import sys
import urllib.parse
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

from bilat.files import open_regular
from bilat.importers import reference
from bilat.importers.actors import Resolver
from bilat.limits import Limits
from bilat.models.dates import PartialDate
from bilat.models.types import URL_PATTERN

csv.field_size_limit(min(sys.maxsize, 2**31 - 1))  # lines are cut at MAX_LINE before csv


class Reject(Exception):
    """This row cannot be imported: *reason* says why, *field* names the column."""

    def __init__(self, reason: str, field: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.field = field


class FileRejected(Exception):
    """This file is not of the format asked for (no header it needs, not JSON)."""


Raw = Any
Fields = dict[str, Any]


@dataclass(frozen=True)
class Format:
    """One importable format."""

    name: str
    dataset: str
    title: str
    citation: str
    rows: Callable[[Path], Iterator[tuple[int, Raw]]]
    convert: Callable[[Raw, Resolver], Fields]


# -- shared helpers ---------------------------------------------------------------

#: How many characters of a value a message shows.
SHOWN_CHARS = 80


def shown(value: object) -> str:
    """*value* as a message shows it (``repr``), cut to its first
    :data:`SHOWN_CHARS` characters and its length when longer: a cell of megabytes is
    not echoed whole into the terminal, the README and the rejections file."""
    if isinstance(value, str) and len(value) > SHOWN_CHARS:
        return f"{value[:SHOWN_CHARS]!r}… ({len(value)} characters)"
    return repr(value)


_URL = re.compile(URL_PATTERN)
_SLUG = re.compile(r"[^a-z0-9]+")
_QID = re.compile(r"^Q[1-9][0-9]*$")


#: The longest slug: one longer keeps its first characters and a longer hash.
SLUG_MAX = 100


def slug(native: str) -> str:
    """A record-id part for a native id: lower case, runs of other characters as
    ``-``; a short hash of the native id is added when that changed anything, so two
    native ids never share a slug. A slug longer than :data:`SLUG_MAX` is cut to its
    first characters and a 16-digit hash of the native id (what is cut never takes the
    hash with it).

    >>> slug("32889836"), slug("20180101-ABC_1")
    ('32889836', '20180101-abc-1-1cb0f8ee')
    """
    digest = hashlib.sha1(native.encode("utf-8", "surrogatepass")).hexdigest()
    s = _SLUG.sub("-", native.lower()).strip("-")
    if s != native:
        s = f"{s}-{digest[:8]}"
    s = s.lstrip("-")
    if len(s) <= SLUG_MAX:
        return s
    return f"{s[: SLUG_MAX - 17].rstrip('-')}-{digest[:16]}"


@lru_cache(maxsize=4096)
def day(text: str, field: str) -> str:
    """A date as YYYY-MM-DD from YYYY-MM-DD, YYYY/MM/DD or M/D/YYYY (the ICEWS 2017 file)."""
    m = re.fullmatch(r"([0-9]{4})[-/]([0-9]{1,2})[-/]([0-9]{1,2})", text)
    if m:
        y, mo, d = m.groups()
    else:
        m = re.fullmatch(r"([0-9]{1,2})/([0-9]{1,2})/([0-9]{4})", text)
        if m is None:
            raise Reject(f"{field} {shown(text)} is not a date (YYYY-MM-DD or M/D/YYYY)", field)
        mo, d, y = m.groups()
    out = f"{y}-{int(mo):02d}-{int(d):02d}"
    return checked_date(out, field)


@lru_cache(maxsize=4096)
def checked_date(text: str, field: str) -> str:
    try:
        PartialDate(text)
    except ValueError as exc:
        raise Reject(f"{field} {shown(text)}: {exc}", field) from None
    return text


def number(text: str | None, field: str) -> float | None:
    if text is None:
        return None
    try:
        if "_" in text:  # Python reads 1_0 as 10; no data set writes it
            raise ValueError(text)
        value = float(text)
    except ValueError:
        raise Reject(f"{field} {shown(text)} is not a number", field) from None
    if value != value or value in (float("inf"), float("-inf")):
        raise Reject(f"{field} {shown(text)} is not a finite number", field)
    return value


def whole(text: str | None, field: str) -> int | None:
    if text is None:
        return None
    try:
        if "_" in text:
            raise ValueError(text)
        return int(text)
    except ValueError:
        raise Reject(f"{field} {shown(text)} is not a whole number", field) from None


def url_or_none(text: str | None) -> str | None:
    """*text* as an http(s) address, non-ASCII and unsafe characters percent-encoded
    (the form a URI takes); None when it is not an http(s) address at all."""
    if text is None or not text.lower().startswith(("http://", "https://")):
        return None
    quoted = urllib.parse.quote(text, safe="!#$%&'()*+,/:;=?@[]~-._")
    return quoted if _URL.match(quoted) and len(quoted) <= 2000 else None


def one_line(text: str | None) -> str | None:
    """A name cell: whitespace runs collapsed; None when nothing is left."""
    if text is None:
        return None
    out = " ".join(text.split())
    return out or None


def cameo(code: str | None, field: str) -> str | None:
    if code is None:
        return None
    if not re.fullmatch(r"[0-9]{2,4}", code):
        raise Reject(f"{field} {shown(code)} is not a CAMEO code (two to four digits)", field)
    if code not in reference.cameo_codes():
        raise Reject(f"{field} {code!r} is not a CAMEO code (not in the CAMEO code list)", field)
    return code


def plover_of(fields: Fields) -> None:
    """Fill the PLOVER fields from the CAMEO code by the crosswalk (when not given)."""
    code = fields.get("cameo")
    if code is None or fields.get("plover_event"):
        return
    hit = reference.cameo_to_plover().get(code)
    if hit is not None:
        fields["plover_event"] = hit.event
        fields["plover_mode"] = hit.mode
        fields["plover_context"] = list(hit.context)


def _text_lines(path: Path, encoding: str = "utf-8") -> io.TextIOWrapper:
    raw = open_regular(path)
    return io.TextIOWrapper(raw, encoding=encoding, errors="surrogateescape", newline="")


_BAD_BYTES = re.compile("[\udc80-\udcff]")


def too_long(cells: Any) -> None:
    """Reject a row whose line was longer than :data:`MAX_LINE` (:class:`TooLong`)."""
    if isinstance(cells, TooLong):
        raise Reject(f"is {cells.chars:,} characters long, more than the {MAX_LINE:,} read")


def _has_bad_bytes(cells: list[str]) -> bool:
    """Whether a cell holds bytes that were not UTF-8 (read as surrogate escapes)."""
    return _BAD_BYTES.search("\t".join(cells)) is not None


#: Characters of a line of a tab-separated file, or of a JSON record, an import reads:
#: the cap on a row `bilat validate` applies (:class:`bilat.limits.Limits`). A longer
#: one is rejected, never held whole.
MAX_LINE = Limits().max_row


class TooLong(list[str]):
    """The cells of a line longer than :data:`MAX_LINE` (none: it was not kept)."""

    def __init__(self, chars: int) -> None:
        super().__init__()
        self.chars = chars


def _bounded(text: io.TextIOWrapper, long: list[int]) -> Iterator[str]:
    """The lines of *text*, each read :data:`MAX_LINE` characters at most: a longer
    line is read on and dropped, its number and length noted in *long* (as a pair)
    and an empty line given in its place, so memory holds one line's cap at most."""
    number = 0
    while True:
        line = text.readline(MAX_LINE + 1)
        if not line:
            return
        number += 1
        if len(line) > MAX_LINE and not line.endswith(("\n", "\r")):
            chars = len(line)
            while line and not line.endswith(("\n", "\r")):
                line = text.readline(MAX_LINE)
                chars += len(line)
            long.extend((number, chars))
            yield "\n"
            continue
        yield line


def _tab_rows(path: Path, header: bool) -> Iterator[tuple[int, Raw]]:
    """Tab-separated rows, no quoting (ICEWS, GDELT, POLECAT write none); a line
    longer than :data:`MAX_LINE` is given as :class:`TooLong`, for its row to be
    rejected."""
    with _text_lines(path) as text:
        long: list[int] = []
        reader = csv.reader(_bounded(text, long), delimiter="\t", quoting=csv.QUOTE_NONE)
        head: list[str] | None = None
        for cells in reader:
            line = reader.line_num
            if long:
                number, chars = long
                long.clear()
                if header and head is None:
                    raise FileRejected(
                        f"line {number}: its header is {chars:,} characters long, more than "
                        f"the {MAX_LINE:,} read"
                    )
                yield number, TooLong(chars)
                continue
            if header and head is None:
                head = [c.strip().lstrip("\ufeff") for c in cells]
                yield line, ("header", head)
                continue
            if not cells or cells == [""]:
                continue  # a blank line is no row
            yield line, cells


def _by_header(head: list[str], cells: list[str], nulls: frozenset[str]) -> dict[str, str | None]:
    too_long(cells)
    if len(cells) != len(head):
        raise Reject(f"has {len(cells)} cells; the header has {len(head)}")
    if _has_bad_bytes(cells):
        raise Reject("is not UTF-8 text")
    return {
        h: (None if c.strip() in nulls else c.strip()) for h, c in zip(head, cells, strict=True)
    }


class _Headed:
    """Rows of a file with a header line, as dicts; checks the header names *needed*."""

    def __init__(self, needed: tuple[str, ...], nulls: frozenset[str], what: str) -> None:
        self.needed = needed
        self.nulls = nulls
        self.what = what

    def __call__(self, path: Path) -> Iterator[tuple[int, Raw]]:
        head: list[str] = []
        for line, item in _tab_rows(path, header=True):
            if isinstance(item, tuple):
                head = item[1]
                missing = [n for n in self.needed if n not in head]
                if missing:
                    raise FileRejected(
                        f"not {self.what}: its header has no column {missing[0]!r} "
                        f"(read as tab-separated)"
                    )
                twice = _twice(head)
                if twice is not None:
                    raise FileRejected(
                        f"its header names the column {shown(twice)} twice; which one to read "
                        "is not known"
                    )
                continue
            yield line, (head, item, self.nulls)


def _twice(names: list[str]) -> str | None:
    """The first name *names* holds twice, if any."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            return name
        seen.add(name)
    return None


def _dict(raw: Raw) -> dict[str, str | None]:
    head, cells, nulls = raw
    return _by_header(head, cells, nulls)


# -- ICEWS -------------------------------------------------------------------------

ICEWS_COLUMNS = (
    "Event ID", "Event Date", "Source Name", "Source Sectors", "Source Country",
    "Event Text", "CAMEO Code", "Intensity", "Target Name", "Target Sectors",
    "Target Country", "Story ID", "Sentence Number", "Publisher", "City", "District",
    "Province", "Country", "Latitude", "Longitude",
)  # fmt: skip


def _sectors(text: str | None, sep: str) -> list[str]:
    if text is None:
        return []
    return [s for s in (one_line(p) for p in text.split(sep)) if s]


@lru_cache(maxsize=4096)
def _country(text: str | None) -> str | None:
    """An ISO alpha-3 code for a country cell: the code itself, or an exact name."""
    if text is None:
        return None
    if reference.is_iso3(text):
        return text
    return reference.iso3_of_name(text)


def _id_and_day(r: dict[str, str | None]) -> tuple[str, str]:
    """The ``Event ID`` and ``Event Date`` (as a day) of an ICEWS or POLECAT row, both
    required."""
    eid = r["Event ID"]
    if eid is None:
        raise Reject("has no Event ID", "Event ID")
    if r["Event Date"] is None:
        raise Reject("has no Event Date", "Event Date")
    return eid, day(r["Event Date"], "Event Date")


def icews(raw: Raw, resolver: Resolver) -> Fields:
    r = _dict(raw)
    eid, date = _id_and_day(r)
    code = r.get("CAMEO Code")
    event_text = one_line(r.get("Event Text"))
    if "CAMEO Code" not in r and event_text is not None:
        # the 2017 yearly file has no CAMEO column: the code of its exact CAMEO name
        code = reference.cameo_codes_by_name().get(event_text.casefold())
    f: Fields = {
        "id": f"icews-{slug(eid)}-{date}",
        "dataset": "icews",
        "native_id": eid,
        "date": date,
        "event_text": event_text,
        "cameo": cameo(code, "CAMEO Code"),
        "intensity": number(r.get("Intensity"), "Intensity"),
        "story": one_line(r.get("Story ID")),
        "sentence": whole(r.get("Sentence Number"), "Sentence Number"),
        "publisher": one_line(r.get("Publisher")),
        "place_country": _country(r.get("Country")),
        "place_name": one_line(r.get("City") or r.get("District") or r.get("Province")),
        "latitude": number(r.get("Latitude"), "Latitude"),
        "longitude": number(r.get("Longitude"), "Longitude"),
    }
    for side, prefix in (("actor", "Source"), ("recipient", "Target")):
        name = one_line(r.get(f"{prefix} Name"))
        country = one_line(r.get(f"{prefix} Country"))
        sectors = _sectors(r.get(f"{prefix} Sectors"), ",")
        f[f"{side}_name"] = name
        f[f"{side}_country"] = country
        f[f"{side}_sectors"] = sectors
        f[side] = resolver.side(name, _country(country), sectors)
    plover_of(f)
    return f


# -- GDELT -------------------------------------------------------------------------

_ACTOR = (
    "Code", "Name", "CountryCode", "KnownGroupCode", "EthnicCode", "Religion1Code",
    "Religion2Code", "Type1Code", "Type2Code", "Type3Code",
)  # fmt: skip
_GEO1 = ("Type", "FullName", "CountryCode", "ADM1Code", "Lat", "Long", "FeatureID")
_GEO2 = ("Type", "FullName", "CountryCode", "ADM1Code", "ADM2Code", "Lat", "Long", "FeatureID")
_EVENT = (
    "IsRootEvent", "EventCode", "EventBaseCode", "EventRootCode", "QuadClass",
    "GoldsteinScale", "NumMentions", "NumSources", "NumArticles", "AvgTone",
)  # fmt: skip


def _gdelt_columns(geo: tuple[str, ...]) -> tuple[str, ...]:
    return (
        "GLOBALEVENTID",
        "SQLDATE",
        "MonthYear",
        "Year",
        "FractionDate",
        *(f"Actor1{a}" for a in _ACTOR),
        *(f"Actor2{a}" for a in _ACTOR),
        *_EVENT,
        *(f"{who}Geo_{g}" for who in ("Actor1", "Actor2", "Action") for g in geo),
        "DATEADDED",
        "SOURCEURL",
    )


#: GDELT 1.0 event columns (58; files before April 2013 lack the last, SOURCEURL).
GDELT1_COLUMNS = _gdelt_columns(_GEO1)
#: GDELT 2.0 event columns (61: each geography block adds ADM2Code).
GDELT2_COLUMNS = _gdelt_columns(_GEO2)


def _gdelt_rows(path: Path) -> Iterator[tuple[int, Raw]]:
    yield from _tab_rows(path, header=False)


def _sqldate(text: str | None) -> str:
    """SQLDATE (YYYYMMDD) as a partial date; 00 for month or day lowers the precision."""
    if text is None or not re.fullmatch(r"[0-9]{8}", text):
        raise Reject(f"SQLDATE {shown(text)} is not a date of the form YYYYMMDD", "SQLDATE")
    y, m, d = text[:4], text[4:6], text[6:]
    out = y if m == "00" else (f"{y}-{m}" if d == "00" else f"{y}-{m}-{d}")
    return checked_date(out, "SQLDATE")


def _gdelt(version: str) -> Callable[[Raw, Resolver], Fields]:
    columns = GDELT1_COLUMNS if version == "1" else GDELT2_COLUMNS
    allowed = (57, 58) if version == "1" else (61,)

    def convert(cells: Raw, resolver: Resolver) -> Fields:
        too_long(cells)
        n = len(cells)
        if n not in allowed:
            other = " (a GDELT 2.0 row? import it as gdelt2)" if n == 61 else ""
            if version == "2" and n in (57, 58):
                other = " (a GDELT 1.0 row? import it as gdelt1)"
            raise Reject(
                f"has {n} tab-separated columns; a GDELT {version}.0 event row has "
                f"{' or '.join(map(str, allowed))}{other}"
            )
        if _has_bad_bytes(cells):
            raise Reject("is not UTF-8 text")
        r = {c: (v.strip() or None) for c, v in zip(columns, cells, strict=False)}  # 57 of 58
        gid = r["GLOBALEVENTID"]
        if gid is None or not gid.isdigit():
            raise Reject(f"GLOBALEVENTID {shown(gid)} is not a number", "GLOBALEVENTID")
        source = r.get("SOURCEURL")
        url = url_or_none(source)
        f: Fields = {
            "id": f"gdelt{version}-{gid}",
            "dataset": f"gdelt{version}",
            "native_id": gid,
            "date": _sqldate(r["SQLDATE"]),
            "cameo": cameo(r["EventCode"], "EventCode"),
            "quad_class": whole(r["QuadClass"], "QuadClass"),
            "goldstein": number(r["GoldsteinScale"], "GoldsteinScale"),
            "place_name": one_line(r["ActionGeo_FullName"]),
            "latitude": number(r["ActionGeo_Lat"], "ActionGeo_Lat"),
            "longitude": number(r["ActionGeo_Long"], "ActionGeo_Long"),
            "url": url,
            "publisher": one_line(source) if source is not None and url is None else None,
        }
        for side, a in (("actor", "Actor1"), ("recipient", "Actor2")):
            name = one_line(r[f"{a}Name"])
            country = r[f"{a}CountryCode"]
            sectors = [s for s in (r[f"{a}Type{i}Code"] for i in (1, 2, 3)) if s]
            iso = country if country and reference.is_iso3(country) else None
            f[f"{side}_name"] = name
            f[f"{side}_country"] = country
            f[f"{side}_sectors"] = sectors
            is_state = bool(iso) and r[f"{a}Code"] == country
            f[side] = resolver.side(name, iso, sectors, is_state=is_state)
        plover_of(f)
        return f

    return convert


# -- POLECAT -----------------------------------------------------------------------

POLECAT_COLUMNS = (
    "Event ID", "Event Date", "Event Type", "Event Mode", "Intensity", "Quad Code",
    "Contexts", "Actor Name", "Actor Country", "Actor COW", "Primary Actor Sector",
    "Actor Sectors", "Actor Title", "Actor Name Raw", "Wikipedia Actor ID",
    "Recipient Name", "Recipient Country", "Recipient COW", "Primary Recipient Sector",
    "Recipient Sectors", "Recipient Title", "Recipient Name Raw",
    "Wikipedia Recipient ID", "Placename", "City", "District", "Province", "Country",
    "Latitude", "Longitude", "GeoNames ID", "Raw Placename", "Feature Type", "Source",
    "Publication Date", "Story People", "Story Organizations", "Story Locations",
    "Language", "Version",
)  # fmt: skip


def _polecat_country(code: str | None, cow: str | None, date: str) -> str | None:
    iso = _country(code)
    if iso is None and cow is not None and cow.isdigit():
        iso = reference.cow_to_iso3(int(cow), PartialDate(date))
    return iso


def polecat(raw: Raw, resolver: Resolver) -> Fields:
    r = _dict(raw)
    eid, date = _id_and_day(r)
    intensity_col = "Intensity" if "Intensity" in r else "Event Intensity"
    event = r.get("Event Type")
    f: Fields = {
        "id": f"polecat-{slug(eid)}",
        "dataset": "polecat",
        "native_id": eid,
        "date": date,
        "plover_event": event.upper() if event else None,
        "plover_mode": (r.get("Event Mode") or "").lower() or None,
        "plover_context": [c.lower() for c in _sectors(r.get("Contexts"), ";")],
        "intensity": number(r.get(intensity_col), intensity_col),
        "quad_class": whole(r.get("Quad Code"), "Quad Code"),
        "place_country": _country(r.get("Country")),
        "place_name": one_line(r.get("Placename") or r.get("City") or r.get("Province")),
        "latitude": number(r.get("Latitude"), "Latitude"),
        "longitude": number(r.get("Longitude"), "Longitude"),
        "publisher": one_line(r.get("Source")),
    }
    for side, p in (("actor", "Actor"), ("recipient", "Recipient")):
        name = one_line(r.get(f"{p} Name"))
        country = one_line(r.get(f"{p} Country"))
        cow = r.get(f"{p} COW")
        sectors = _sectors(r.get(f"{p} Sectors"), ";")
        wd = r.get(f"Wikipedia {p} ID")
        qid = wd if wd and _QID.match(wd) else None
        f[f"{side}_name"] = name
        f[f"{side}_country"] = country or (f"COW {cow}" if cow else None)
        f[f"{side}_sectors"] = sectors
        f[f"{side}_wikidata"] = qid
        f[side] = resolver.side(name, _polecat_country(country, cow, date), sectors, qid)
    return f


# -- PLOVER JSON -------------------------------------------------------------------


def json_objects(path: Path) -> Iterator[tuple[int, Raw]]:
    """The top-level objects of a JSON array, JSON Lines, or objects one after another
    separated by commas, as PLOVER's gold standard records are written (with a comma
    before each closing brace, which JSON does not allow and this reader drops).
    Streams: one object in memory at a time, of :data:`MAX_LINE` characters at most
    (a longer one is read on, dropped and given as :class:`TooLong`, to be rejected)."""
    # long: one pass of a character scanner (strings, escapes, depth, stray commas, the cap)
    with _text_lines(path) as text:
        buf: list[str] = []
        chars = 0  # of the object being read, kept or not
        depth = 0
        in_str = esc = False
        line = 1
        start_line = 0
        pending_comma = False
        while True:
            chunk = text.read(1 << 16)
            if not chunk:
                break
            for ch in chunk:
                if ch == "\n":
                    line += 1
                if depth:
                    chars += 1
                    if chars > MAX_LINE and buf:
                        buf = []  # too long: read on to its end, keep nothing
                if in_str:
                    buf.append(ch)
                    if esc:
                        esc = False
                    elif ch == "\\":
                        esc = True
                    elif ch == '"':
                        in_str = False
                    continue
                if depth == 0:
                    if ch == "{":
                        depth = 1
                        buf = ["{"]
                        chars = 1
                        start_line = line
                        pending_comma = False
                    elif ch in "[],\r\n\t ":
                        continue
                    else:
                        raise FileRejected(f"line {line}: {ch!r} where a JSON object should start")
                    continue
                if pending_comma:
                    if ch in " \t\r\n":
                        continue
                    if ch not in "}]":
                        buf.append(",")
                    pending_comma = False
                if ch == ",":
                    pending_comma = True
                    continue
                buf.append(ch)
                if ch == '"':
                    in_str = True
                elif ch in "{[":
                    depth += 1
                elif ch in "}]":
                    depth -= 1
                    if depth == 0:
                        yield start_line, "".join(buf) if chars <= MAX_LINE else TooLong(chars)
                        buf = []
        if depth != 0:
            raise FileRejected(f"line {start_line}: a JSON object does not end")


def _plover_side(value: Any) -> tuple[list[dict[str, Any]], str | None]:
    if value in (None, "", []):
        return [], None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
        raise Reject("actor fields must be an object or a list of objects")
    return value, None


def _json_type(value: Any) -> str:
    return {bool: "true/false", int: "a number", float: "a number", list: "a list"}.get(
        type(value), "an object"
    )


def _str(obj: dict[str, Any], key: str, where: str | None = None) -> str | None:
    """The text *obj* holds under *key* (None when absent or null); anything else (a
    number, a list, an object) is a :class:`Reject` naming the field."""
    value = obj.get(key)
    if value is None or isinstance(value, str):
        return value
    name = f"{where}.{key}" if where else key
    raise Reject(f"{name} is {_json_type(value)}, not text", name)


def plover(raw: Raw, resolver: Resolver) -> Fields:
    # long: one PLOVER record's fields, each checked to be text before it is used
    too_long(raw)
    try:
        r = json.loads(raw)
    except ValueError as exc:
        raise Reject(f"is not JSON: {exc}") from None
    except RecursionError:
        raise Reject("is not JSON bilat reads: nested too deep") from None
    if not isinstance(r, dict):
        raise Reject("is not a JSON object")
    eid = r.get("id")
    if not isinstance(eid, str) or not eid.strip():
        raise Reject("has no id", "id")
    date = r.get("date")
    if not isinstance(date, str):
        raise Reject("has no date", "date")
    date = checked_date(date.strip(), "date")
    contexts = r.get("context") or []
    if isinstance(contexts, str):
        contexts = [c.strip() for c in re.split(r"[;,]", contexts) if c.strip()]
    if not isinstance(contexts, list) or not all(isinstance(c, str) for c in contexts):
        raise Reject("context is not text nor a list of texts", "context")
    event = _str(r, "event")
    f: Fields = {
        "id": f"plover-{slug(eid.strip())}",
        "dataset": "plover",
        "native_id": eid.strip(),
        "date": date,
        "plover_event": event.strip().upper() if event and event.strip() else None,
        "plover_mode": (_str(r, "mode") or "").strip().lower() or None,
        "plover_context": [c.lower() for c in contexts],
        "text": _str(r, "text") or None,
        "publisher": one_line(_str(r, "publication") or _str(r, "source_name")),
        "url": url_or_none(_str(r, "url")),
        "story": one_line(_str(r, "story_id")),
    }
    notes = []
    for side, keys in (("actor", ("source", "actor")), ("recipient", ("target", "recipient"))):
        key = next((k for k in keys if k in r), keys[0])
        actors, _ = _plover_side(r.get(key))
        if len(actors) == 1:
            a = actors[0]
            name = one_line(_str(a, "actorText", key))
            code = one_line(_str(a, "code", key))
            sector = one_line(_str(a, "sector", key))
            sectors = [sector] if sector else []
            f[f"{side}_name"] = name
            f[f"{side}_country"] = code
            f[f"{side}_sectors"] = sectors
            iso = code if code and reference.is_iso3(code) else None
            f[side] = resolver.side(name, iso, sectors)
        elif len(actors) > 1:
            resolver.counts["compound"] += 1
            listed = "; ".join(
                f"{a.get('actorText')} ({', '.join(str(a[k]) for k in ('code', 'sector') if a.get(k))})"
                for a in actors
            )
            notes.append(f"compound {key}: {listed}")
    if notes:
        f["notes"] = " | ".join(notes)
    return f


# -- the registry --------------------------------------------------------------------

ICEWS_CITATION = (
    "Boschee, Elizabeth; Lautenschlager, Jennifer; O'Brien, Sean; Shellman, Steve; "
    "Starz, James; Ward, Michael, 2015, ICEWS Coded Event Data, Harvard Dataverse, "
    "doi:10.7910/DVN/28075"
)
GDELT_CITATION = (
    "Leetaru, Kalev and Schrodt, Philip A. (2013). GDELT: Global Data on Events, "
    "Location and Tone, 1979-2012. ISA Annual Convention. The GDELT Project, "
    "https://www.gdeltproject.org/"
)
POLECAT_CITATION = (
    "Scarborough, Grace et al. (2023). POLECAT Weekly Data, Harvard Dataverse, "
    "doi:10.7910/DVN/AJGVIT"
)
PLOVER_CITATION = (
    "Open Event Data Alliance, PLOVER: Political Language Ontology for Verifiable Event "
    "Records, https://github.com/openeventdata/PLOVER"
)

FORMATS: dict[str, Format] = {
    "icews": Format(
        "icews", "icews", "ICEWS events", ICEWS_CITATION,
        _Headed(("Event ID", "Event Date"), frozenset({"", "NA"}), "an ICEWS events file"),
        icews,
    ),
    "gdelt1": Format(
        "gdelt1", "gdelt1", "GDELT 1.0 events", GDELT_CITATION, _gdelt_rows, _gdelt("1")
    ),
    "gdelt2": Format(
        "gdelt2", "gdelt2", "GDELT 2.0 events", GDELT_CITATION, _gdelt_rows, _gdelt("2")
    ),
    "polecat": Format(
        "polecat", "polecat", "POLECAT events", POLECAT_CITATION,
        _Headed(("Event ID", "Event Date", "Event Type"), frozenset({"", "None"}),
                "a POLECAT events file"),
        polecat,
    ),
    "plover": Format(
        "plover", "plover", "PLOVER event records", PLOVER_CITATION, json_objects, plover
    ),
}  # fmt: skip

__all__ = [
    "FORMATS",
    "GDELT1_COLUMNS",
    "GDELT2_COLUMNS",
    "ICEWS_COLUMNS",
    "POLECAT_COLUMNS",
    "FileRejected",
    "Format",
    "Reject",
    "shown",
    "slug",
]
