"""The law: whatever ``frictionless validate`` calls invalid, ``bilat validate`` calls
invalid (bilat may be stricter, never looser), and never with a traceback.

The corpus is built at test time: the valid base package (its tables the changes touch
or refer to, :data:`LAW_TABLES`) plus one named change each,
covering every error type a default Frictionless validation of a local package
emits (:data:`FRICTIONLESS_TYPES`) and every variant of a CSV header.

Frictionless's verdict on a package depends only on the package's bytes and the
software installed, so it is kept in pytest's cache (``.pytest_cache``) under a hash
of both (:func:`fingerprint`): a package or a dependency that changes is validated by
Frictionless again, and a few packages are validated again on every run and held
equal to what the cache says (``pytest --cache-clear`` runs Frictionless on all).
bilat validates every package on every run.
"""

from __future__ import annotations

import gzip
import hashlib
import io
import json
import platform
import zipfile
from collections.abc import Callable
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import Any

import frictionless
import pytest
from mutants import build, edit_desc, resource, with_cell

from bilat.findings import CATALOGUE
from bilat.validation import validate

Change = Callable[[Path], None]
PERSONS_HEADER = "id,notes,sources,name,aliases,wikidata,kind,nationality"

#: Every error type a default Frictionless validation of a local package can emit;
#: the corpus must make Frictionless emit each one at least once.
FRICTIONLESS_TYPES = {
    "package-error",
    "resource-error",
    "schema-error",
    "field-error",
    "control-error",
    "scheme-error",
    "format-error",
    "encoding-error",
    "compression-error",
    "source-error",
    "hash-count",
    "byte-count",
    "field-count",
    "row-count",
    # ("blank-header" is not here: a header row without labels reaches Frictionless as
    # "source-error" or "blank-row" first; the corpus tries it in foreign_empty_first_line)
    "unmatched-header",
    "blank-label",
    "duplicate-label",
    "extra-label",
    "missing-label",
    "incorrect-label",
    "blank-row",
    "primary-key",
    "foreign-key",
    "extra-cell",
    "missing-cell",
    "type-error",
    "constraint-error",
    "unique-error",
}


def write(name: str, data: bytes | str) -> Change:
    def apply(folder: Path) -> None:
        raw = data.encode("utf-8") if isinstance(data, str) else data
        (folder / name).write_bytes(raw)

    return apply


def bytes_edit(name: str, old: bytes, new: bytes) -> Change:
    def apply(folder: Path) -> None:
        raw = (folder / name).read_bytes()
        assert old in raw, (name, old)
        (folder / name).write_bytes(raw.replace(old, new, 1))

    return apply


def header(line: str, name: str = "persons.csv") -> Change:
    """Replace the header line of a CSV file (the rows stay as they are)."""

    def apply(folder: Path) -> None:
        lines = (folder / name).read_text(encoding="utf-8").split("\n")
        lines[0] = line
        (folder / name).write_text("\n".join(lines), encoding="utf-8")

    return apply


def columns_kept(keep: list[int], extra: str | None = None) -> Change:
    """Keep these columns of persons.csv (header and rows), optionally add one more."""

    def apply(folder: Path) -> None:
        import csv

        path = folder / "persons.csv"
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        for i, row in enumerate(rows):
            cells = [row[k] for k in keep]
            if extra is not None:
                cells.append(extra if i == 0 else "x")
            writer.writerow(cells)
        path.write_text(out.getvalue(), encoding="utf-8")

    return apply


def res(name: str, **changes: Any) -> Change:
    return edit_desc(lambda d: resource(d, name).update(changes))


def dialect(name: str, **changes: Any) -> Change:
    return edit_desc(lambda d: resource(d, name)["dialect"].update(changes))


def parts(*bodies: bytes) -> Change:
    """persons as a multi-file CSV resource: persons.csv, then one part per body."""

    def apply(folder: Path) -> None:
        names = ["persons.csv"]
        for i, body in enumerate(bodies, start=2):
            (folder / f"persons{i}.csv").write_bytes(body)
            names.append(f"persons{i}.csv")
        desc = json.loads((folder / "datapackage.json").read_text())
        entry = resource(desc, "persons")
        entry["path"] = names
        for key in ("bytes", "hash"):
            entry.pop(key, None)
        (folder / "datapackage.json").write_text(json.dumps(desc))

    return apply


def parquet(*edits: tuple[bytes, bytes], split: bool = False, halves: bool = False) -> Change:
    """persons as Parquet (every column a string), with *edits* to the CSV first; with
    *split*, as two Parquet parts, the edits in the second; with *halves*, as two
    Parquet parts, the first row in the first and the others in the second."""

    def apply(folder: Path) -> None:
        import pyarrow as pa
        import pyarrow.csv as pacsv
        import pyarrow.parquet as pq

        raw = (folder / "persons.csv").read_bytes()
        names = raw.split(b"\n", 1)[0].decode().split(",")
        strings = pacsv.ConvertOptions(column_types={n: pa.string() for n in names})
        whole = pacsv.read_csv(io.BytesIO(raw), convert_options=strings)
        for old, new in edits:
            raw = raw.replace(old, new)
        edited = pacsv.read_csv(io.BytesIO(raw), convert_options=strings)
        (folder / "persons.csv").unlink()
        if split or halves:
            first, second = (edited.slice(0, 1), edited.slice(1)) if halves else (whole, edited)
            pq.write_table(first, folder / "persons-1.parquet")
            pq.write_table(second, folder / "persons-2.parquet")
            path: Any = ["persons-1.parquet", "persons-2.parquet"]
        else:
            pq.write_table(edited, folder / "persons.parquet")
            path = "persons.parquet"
        desc = json.loads((folder / "datapackage.json").read_text())
        entry = resource(desc, "persons")
        entry.update(path=path, format="parquet")
        for key in ("bytes", "hash", "dialect", "encoding", "mediatype"):
            entry.pop(key, None)
        (folder / "datapackage.json").write_text(json.dumps(desc))

    return apply


def renamed(old: str, new: str, name: str = "persons", **changes: Any) -> Change:
    """Rename the file *old* to *new* and name it so in resource *name*'s path."""

    def apply(folder: Path) -> None:
        (folder / old).rename(folder / new)
        desc = json.loads((folder / "datapackage.json").read_text())
        entry = resource(desc, name)
        path = entry["path"]
        entry["path"] = [new if p == old else p for p in path] if isinstance(path, list) else new
        for key, value in changes.items():
            if value is None:
                entry.pop(key, None)
            else:
                entry[key] = value
        (folder / "datapackage.json").write_text(json.dumps(desc))

    return apply


def parquet_edit(edit: Callable[[Any], Any], raw: tuple[bytes, bytes] | None = None) -> Change:
    """persons as Parquet, its table changed by *edit* (a pyarrow table to another),
    then the bytes *raw* replaced in the file (its schema not stored, so a column name
    is written once)."""

    def apply(folder: Path) -> None:
        import pyarrow.parquet as pq

        parquet()(folder)
        path = folder / "persons.parquet"
        pq.write_table(edit(pq.read_table(path)), path, store_schema=False)
        if raw is not None:
            path.write_bytes(path.read_bytes().replace(*raw))

    return apply


def _typed(table: Any) -> Any:
    import pyarrow as pa

    n = table.num_rows
    table = table.set_column(1, "notes", pa.array([1] * n))
    return table.set_column(6, "kind", pa.array([1.5] * n))


def _gzipped(*names: str) -> Change:
    """Each of the persons' parts *names* gzipped, as ``NAME.gz``, the resource saying so."""

    def apply(folder: Path) -> None:
        for name in names:
            (folder / f"{name}.gz").write_bytes(gzip.compress((folder / name).read_bytes()))
            (folder / name).unlink()
        desc = json.loads((folder / "datapackage.json").read_text())
        entry = resource(desc, "persons")
        entry["path"] = [f"{p}.gz" if p in names else p for p in entry["path"]]
        entry["compression"] = "gz"
        (folder / "datapackage.json").write_text(json.dumps(desc))

    return apply


def chain(*steps: Change) -> Change:
    def apply(folder: Path) -> None:
        for step in steps:
            step(folder)

    return apply


def _person(number: int, notes: str) -> bytes:
    return f'x-{number},{notes},"[""src-article""]",X,,,person,rus\n'.encode()


#: persons in two CSV parts, no dialect declared, its notes cells holding ``;`` and
#: ``'``: sniffed alone, each part reads as commas; the stream Frictionless reads
#: (the first part, then the second without its header) sniffs as semicolons
SNIFFED_AS_ONE_STREAM = chain(
    edit_desc(lambda d: resource(d, "persons").pop("dialect")),
    lambda f: (f / "persons.csv").write_bytes(
        (f / "persons.csv").read_bytes() + b"".join(_person(i, "x;'a';y") for i in range(4))
    ),
    parts(
        PERSONS_HEADER.encode()
        + b"\n"
        + b"".join(_person(100 + i, "x;'a';b;'c';y") for i in range(21))
        + b"".join(_person(200 + i, "x;'a';y") for i in range(54))
        + b"".join(_person(300 + i, "") for i in range(22))
    ),
)


NOTES = "id,engagement,score,when\n1,summit-22,5,2024-01-01\n2,visit,7,2023-12-25\n"
NOTES_SCHEMA: dict[str, Any] = {
    "fields": [
        {"name": "id", "type": "integer"},
        {"name": "engagement", "type": "string"},
        {"name": "score", "type": "integer", "constraints": {"minimum": 0}},
        {"name": "when", "type": "date"},
    ],
    "primaryKey": ["id"],
    "foreignKeys": [
        {"fields": ["engagement"], "reference": {"resource": "engagements", "fields": ["id"]}}
    ],
}


def foreign(text: str | bytes = NOTES, schema: Any = None, **extra: Any) -> Change:
    """Add a table that is not a bilat record type: notes.csv with its own Table Schema."""

    def apply(folder: Path) -> None:
        raw = text.encode("utf-8") if isinstance(text, str) else text
        (folder / "notes.csv").write_bytes(raw)
        entry: dict[str, Any] = {
            "name": "notes",
            "path": "notes.csv",
            "schema": NOTES_SCHEMA if schema is None else schema,
        }
        entry.update(extra)
        data = json.loads((folder / "datapackage.json").read_text())
        data["resources"].append(entry)
        (folder / "datapackage.json").write_text(json.dumps(data, indent=2))

    return apply


def _gz(folder: Path, name: str, body: bytes | None = None) -> None:
    raw = (folder / f"{name}.csv").read_bytes() if body is None else body
    (folder / f"{name}.csv").unlink()
    (folder / f"{name}.csv.gz").write_bytes(raw)
    data = json.loads((folder / "datapackage.json").read_text())
    resource(data, name).update(path=f"{name}.csv.gz", compression="gz")
    (folder / "datapackage.json").write_text(json.dumps(data, indent=2))


def gzipped(name: str, corrupt: bool = False, declared_bytes: int | None = None) -> Change:
    def apply(folder: Path) -> None:
        packed = gzip.compress((folder / f"{name}.csv").read_bytes(), mtime=0)
        _gz(folder, name, packed[:-12] if corrupt else packed)
        if declared_bytes is not None:
            res(name, bytes=declared_bytes)(folder)

    return apply


def _zip_corrupt(folder: Path) -> None:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("notes.csv", NOTES)
    foreign(buffer.getvalue()[:30], compression="zip")(folder)


CORPUS: dict[str, Change] = {
    # -- headers of a bilat record table ------------------------------------------------
    "header_reordered": header(PERSONS_HEADER.replace("id,notes", "notes,id")),
    "header_reordered_with_rows": columns_kept([1, 0, 2, 3, 4, 5, 6, 7]),
    "header_subset": columns_kept([0, 1, 2, 3, 4, 5, 6]),
    "header_superset": columns_kept(list(range(8)), extra="age"),
    "header_duplicated": header(PERSONS_HEADER.replace("nationality", "kind")),
    "header_renamed": header(PERSONS_HEADER.replace("name", "fullname", 1)),
    "header_blank": header(PERSONS_HEADER.replace(",name,", ",,")),
    "header_missing": lambda f: (f / "persons.csv").write_text(
        "\n".join((f / "persons.csv").read_text().split("\n")[1:])
    ),
    "header_case": header(PERSONS_HEADER.replace("id,", "ID,", 1)),
    "header_spaces": header(PERSONS_HEADER.replace(",name,", ", name,")),
    "header_empty_line": lambda f: (f / "persons.csv").write_text(
        "\n" + (f / "persons.csv").read_text()
    ),
    "header_only": lambda f: (f / "claims.csv").write_text(
        "id,notes,sources,record,field,value,evidence,status,rationale\n"
    ),
    # -- the descriptor -----------------------------------------------------------------
    "descriptor_bad_created": edit_desc(lambda d: d.update(created="2026-11-24")),
    "descriptor_bad_licenses": edit_desc(lambda d: d.update(licenses="CC-BY")),
    "resource_data_and_path": res("persons", data=[["id"]]),
    "schema_fields_not_a_list": edit_desc(
        lambda d: resource(d, "persons")["schema"].update(fields=5)
    ),
    "schema_field_bad_type": edit_desc(
        lambda d: resource(d, "persons")["schema"]["fields"][0].update(type="nosuch")
    ),
    "dialect_delimiter_not_a_string": dialect("persons", delimiter=5),
    "format_xlsx": res("organizations", format="xlsx"),
    "file_missing": lambda f: (f / "organizations.csv").unlink(),
    "file_is_folder": lambda f: (
        (f / "organizations.csv").unlink(),
        (f / "organizations.csv").mkdir(),
    ),
    "declared_bytes": res("organizations", bytes=5),
    "declared_md5": res("organizations", hash="0" * 32),
    "declared_sha256": res("organizations", hash="sha256:" + "0" * 64),
    "declared_fields": res("organizations", fields=3),
    "declared_rows": res("organizations", rows=99),
    "declared_stats": res("organizations", stats={"rows": 99, "bytes": 4}),
    # -- bytes, lines, dialects of a bilat record table ----------------------------------
    "invalid_utf8": bytes_edit("organizations.csv", b"Ministry", b"Min\xffistry"),
    "latin1_no_encoding": chain(
        edit_desc(lambda d: resource(d, "organizations").pop("encoding")),
        bytes_edit("organizations.csv", b"Ministry", b"Min\xe9istry"),
    ),
    "byte_order_mark": lambda f: (f / "persons.csv").write_bytes(
        b"\xef\xbb\xbf" + (f / "persons.csv").read_bytes()
    ),
    "crlf_lines": lambda f: (f / "persons.csv").write_bytes(
        (f / "persons.csv").read_bytes().replace(b"\n", b"\r\n")
    ),
    "empty_file": write("organizations.csv", b""),
    "blank_row": bytes_edit("persons.csv", b"\nlavrov", b"\n\nlavrov"),
    "comma_row": bytes_edit("persons.csv", b"\nlavrov", b"\n,,,,,,,\nlavrov"),
    "extra_cell": bytes_edit("persons.csv", b",person,rus", b",person,rus,x"),
    "missing_cell": bytes_edit("persons.csv", b",person,rus", b",person"),
    "unterminated_quote": lambda f: (f / "persons.csv").write_bytes(
        (f / "persons.csv").read_bytes() + b'x,"abc'
    ),
    "nul_in_cell": bytes_edit("persons.csv", b"Sergey", b"Ser\x00gey"),
    "gzip_corrupt": gzipped("organizations", corrupt=True),
    "gzip_bytes_of_content": gzipped("organizations", declared_bytes=161),
    "quote_char_single": dialect("tenures", quoteChar="'"),
    "escape_char": dialect("tenures", escapeChar="\\", doubleQuote=False),
    "double_quote_false": dialect("tenures", doubleQuote=False),
    "skip_initial_space": chain(
        dialect("persons", skipInitialSpace=True),
        bytes_edit("persons.csv", b",Sergey", b", Sergey"),
    ),
    "comment_char": chain(
        dialect("persons", commentChar="#"),
        lambda f: (f / "persons.csv").write_bytes((f / "persons.csv").read_bytes() + b"#note,,\n"),
    ),
    "header_rows": dialect("persons", headerRows=[1, 2]),
    "null_sequence": chain(
        dialect("persons", nullSequence="NA"),
        bytes_edit("persons.csv", b",person,rus", b",person,NA"),
    ),
    "header_case_false": chain(
        dialect("persons", headerCase=False), header(PERSONS_HEADER.replace("id,", "ID,", 1))
    ),
    "delimiter_semicolon": dialect("persons", delimiter=";"),
    "dialect_not_declared_semicolons": chain(
        edit_desc(lambda d: resource(d, "persons").pop("dialect")),
        lambda f: (f / "persons.csv").write_text((f / "persons.csv").read_text().replace(",", ";")),
    ),
    # -- cells of a bilat record table ---------------------------------------------------
    "integer_decimal": with_cell("engagements.csv", 4, "series_number", "22.0"),
    "integer_spaces": with_cell("engagements.csv", 4, "series_number", " 22"),
    "integer_arabic_digits": with_cell("engagements.csv", 4, "series_number", "٢٢"),
    "integer_underscore": with_cell("engagements.csv", 4, "series_number", "2_2"),
    "integer_huge": with_cell("engagements.csv", 4, "series_number", "9" * 5000),
    "integer_below_minimum": with_cell("engagements.csv", 4, "series_number", "0"),
    "number_comma": chain(
        with_cell("indicators.csv", 2, "value", "1,5"), with_cell("indicators.csv", 2, "unit", "t")
    ),
    "number_nan": chain(
        with_cell("indicators.csv", 2, "value", "NaN"), with_cell("indicators.csv", 2, "unit", "t")
    ),
    "number_overflow": chain(
        with_cell("indicators.csv", 2, "value", "1e400"),
        with_cell("indicators.csv", 2, "unit", "t"),
    ),
    "array_of_numbers": with_cell("engagements.csv", 3, "participants", "[1,2]"),
    "array_null": with_cell("engagements.csv", 3, "participants", "null"),
    "array_empty_required": with_cell("engagements.csv", 3, "participants", "[]"),
    "array_trailing_comma": with_cell("engagements.csv", 3, "participants", '["putin",]'),
    "array_not_json": with_cell("engagements.csv", 3, "participants", "putin;jaishankar"),
    "pattern_id": with_cell("persons.csv", 3, "id", "Bad Id"),
    "pattern_date": with_cell("engagements.csv", 2, "start", "2023-13-01"),
    "date_leap_day": with_cell("engagements.csv", 2, "start", "2023-02-29"),
    "enum_term": with_cell("engagements.csv", 3, "type", "tea_party"),
    "enum_country": with_cell("states.csv", 3, "iso3", "XYZ"),
    "required_empty": with_cell("persons.csv", 3, "name", ""),
    "name_too_long": with_cell("persons.csv", 3, "name", "x" * 501),
    "name_trailing_space": with_cell("persons.csv", 3, "name", "Sergey Lavrov "),
    "name_line_break": with_cell("persons.csv", 3, "name", "Sergey\nLavrov"),
    "primary_key_duplicate": with_cell("persons.csv", 3, "id", "jaishankar"),
    "dangling_foreign_key": with_cell("statements.csv", 2, "engagement", "lunch"),
    # -- a table that is not a bilat record type -----------------------------------------
    "foreign_ok": foreign(),
    "foreign_schema_fields_not_a_list": foreign(schema={"fields": 5}),
    "foreign_field_bad_type": foreign(schema={"fields": [{"name": "id", "type": "nosuch"}]}),
    "foreign_dialect_bad": foreign(dialect={"delimiter": 5}),
    "foreign_blank_header": foreign(",,,\n1,summit-22,5,2024-01-01\n"),
    "foreign_empty_first_line": foreign("\n1,summit-22,5,2024-01-01\n"),
    "foreign_fields_match_partial": foreign(
        "a,b\n1,2\n",
        schema={"fields": [{"name": "id", "type": "integer"}], "fieldsMatch": "partial"},
    ),
    "foreign_fields_match_subset": foreign(
        "a,b\n1,2\n",
        schema={"fields": [{"name": "id", "type": "integer"}], "fieldsMatch": "subset"},
    ),
    "foreign_zip_corrupt": _zip_corrupt,
    "foreign_gzip_corrupt": foreign(b"\x1f\x8b\x08\x00garbage", compression="gz"),
    "foreign_empty": foreign(b""),
    "foreign_type": foreign(NOTES + "3,visit,x,2023\n"),
    "foreign_constraint": foreign(NOTES + "3,visit,-1,2023-01-01\n"),
    "foreign_primary_key": foreign(NOTES + "1,visit,1,2023-01-01\n"),
    "foreign_unique": foreign(
        NOTES + "1,visit,1,2023-01-01\n",
        schema={
            "fields": [
                {"name": "id", "type": "integer", "constraints": {"unique": True}},
                {"name": "engagement"},
                {"name": "score"},
                {"name": "when"},
            ]
        },
    ),
    "foreign_foreign_key": foreign(NOTES + "3,nope,1,2023-01-01\n"),
    "foreign_blank_row": foreign(NOTES + "\n3,visit,1,2023-01-01\n"),
    "foreign_extra_cell": foreign(NOTES + "3,visit,1,2023-01-01,more\n"),
    "foreign_missing_cell": foreign(NOTES + "3,visit\n"),
    "foreign_duplicate_label": foreign("id,engagement,score,score\n1,visit,1,2\n"),
    "foreign_incorrect_label": foreign("id,engagement,points,when\n1,visit,1,2023-01-01\n"),
    "foreign_latin1": foreign(NOTES.replace("visit", "visité").encode("latin-1")),
    "foreign_latin1_declared_utf8": foreign(
        NOTES.replace("visit", "visité").encode("latin-1"), encoding="utf-8"
    ),
    "foreign_missing_file": foreign(path="nothere.csv"),
    "foreign_bytes": foreign(bytes=3),
    "foreign_hash": foreign(hash="md5:" + "0" * 32),
    "foreign_inline_bad": foreign(
        path=None, data=[["id"], ["x"]], schema={"fields": [{"name": "id", "type": "integer"}]}
    ),
    "foreign_inline_ok": foreign(
        path=None, data=[["id"], ["1"]], schema={"fields": [{"name": "id", "type": "integer"}]}
    ),
    # -- Parquet and multi-file resources (docs/frictionless.md: what Frictionless
    # does with them): Frictionless drops the first line of every CSV part after the
    # first, and reads the first Parquet part only
    "multi_file_csv": parts(
        PERSONS_HEADER.encode() + b'\nx-1,,"[""src-article""]",X,,,person,rus\n'
    ),
    "multi_file_csv_bad_cell": parts(
        PERSONS_HEADER.encode() + b'\nBad Id,,"[""src-article""]",X,,,person,rus\n'
    ),
    "multi_file_csv_no_header": parts(b'x-1,,"[""src-article""]",X,,,person,rus\n'),
    "multi_file_csv_other_header": parts(b'id,name\nx-1,,"[""src-article""]",X,,,person,rus\n'),
    "multi_file_csv_sniffed_as_one_stream": SNIFFED_AS_ONE_STREAM,
    # every part is read in the format of the first one's extension (no format declared)
    "multi_file_other_extension": chain(
        parts(PERSONS_HEADER.encode() + b'\nBad Id,,"[""src-article""]",X,,,person,rus\n'),
        renamed("persons2.csv", "persons2.txt", format=None),
    ),
    "multi_file_csv_then_parquet": lambda f: (
        (f / "header.csv").write_text(PERSONS_HEADER + "\n"),
        (kept := resource(json.loads((f / "datapackage.json").read_text()), "persons")),
        parquet()(f),
        renamed(
            "persons.parquet",
            "persons2.parquet",
            path=["header.csv", "persons2.parquet"],
            format=None,
            dialect=kept["dialect"],
            encoding=kept["encoding"],
        )(f),
    ),
    # the parts are one stream: a part's last row without a line break runs on
    "multi_file_csv_no_final_newline": chain(
        parts(PERSONS_HEADER.encode() + b'\nx-1,,"[""src-article""]",X,,,person,rus\n'),
        lambda f: (f / "persons.csv").write_bytes((f / "persons.csv").read_bytes().rstrip()),
    ),
    # the same, each part gzipped: the line break is looked for in what is decompressed
    "multi_file_csv_gz_no_final_newline": chain(
        parts(PERSONS_HEADER.encode() + b'\nx-1,,"[""src-article""]",X,,,person,rus\n'),
        lambda f: (f / "persons.csv").write_bytes((f / "persons.csv").read_bytes().rstrip()),
        _gzipped("persons.csv", "persons2.csv"),
    ),
    # a format is known in lower case only (an extension in capitals is read)
    "format_upper_csv": res("persons", format="CSV"),
    "format_upper_parquet": chain(parquet(), res("persons", format="PARQUET")),
    "parquet_valid": parquet(),
    "parquet_bad_cell": parquet((b"\nlavrov,", b"\nBad Lavrov,")),
    "parquet_parts_bad_second": parquet((b"\nlavrov,", b"\nBad Lavrov,"), split=True),
    "parquet_column_name_not_utf8": parquet_edit(
        lambda t: t.rename_columns([*t.column_names[:-1], "nationaliXy"]),
        (b"nationaliXy", b"nationali\xffy"),
    ),
    "parquet_not_parquet": lambda f: (
        parquet()(f),
        (f / "persons.parquet").write_bytes(b"id,notes\n"),
    ),
    "parquet_columns_not_strings": parquet_edit(_typed),
    # records name persons of the second part, which Frictionless never reads
    "parquet_parts_referenced_second": parquet(halves=True),
    "foreign_text_file": lambda f: (
        (f / "README.txt").write_text("notes\n"),
        edit_desc(lambda d: d["resources"].append({"name": "readme", "path": "README.txt"}))(f),
    ),
}
#: Header variants both tools call invalid: reordered, subset, superset, duplicated,
#: renamed, blank, missing (others, such as spaces around names, only bilat refuses).
HEADER_VARIANTS = [
    "header_reordered",
    "header_reordered_with_rows",
    "header_subset",
    "header_superset",
    "header_duplicated",
    "header_renamed",
    "header_blank",
    "header_missing",
    "header_case",
    "header_empty_line",
]


def frictionless_verdict(folder: Path) -> tuple[bool, set[str]]:
    """Frictionless's verdict on a package and the error types it gave; a crash inside
    Frictionless counts as invalid."""
    try:
        report = frictionless.validate(str(folder / "datapackage.json"))
    except Exception as exc:
        return False, {f"crash:{type(exc).__name__}"}
    types = {e.type for e in report.errors}
    types |= {e.type for task in report.tasks for e in task.errors}
    return report.valid, types


@cache
def installed() -> str:
    """The Python and every installed distribution with its version: what Frictionless's
    verdict depends on besides the package (its own version, its parsers, chardet)."""
    dists = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    return "\n".join([platform.python_implementation(), platform.python_version(), *dists])


def fingerprint(folder: Path) -> str:
    """A hash of the software installed and of every file and folder of the package in
    *folder* and of its sibling ``outside/`` (what a package may point at), by path."""
    digest = hashlib.sha256(installed().encode())
    for base in (folder, folder.parent / "outside"):
        for path in sorted(base.rglob("*")):
            digest.update(path.relative_to(base.parent).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() if path.is_file() else b"<folder>")
            digest.update(b"\0")
    return digest.hexdigest()


#: The tables of the law's base package: those the changes touch and those they refer
#: to. The valid package's other eight tables (agreements, votes, ...) would stay valid
#: and untouched in every package of the corpus: they add nothing to either verdict,
#: only Frictionless's time (about 0.3 s a package with all seventeen, 0.1 s with these).
LAW_TABLES = frozenset(
    [
        "sources",
        "states",
        "persons",
        "organizations",
        "tenures",
        "engagements",
        "indicators",
        "statements",
        "claims",
    ]
)


def law_base(folder: Path) -> None:
    """Keep only :data:`LAW_TABLES` of the valid package in *folder*."""
    desc = json.loads((folder / "datapackage.json").read_text())
    for entry in desc["resources"]:
        if entry["name"] not in LAW_TABLES:
            (folder / entry["path"]).unlink()
    desc["resources"] = [e for e in desc["resources"] if e["name"] in LAW_TABLES]
    (folder / "datapackage.json").write_text(json.dumps(desc, indent=2))


#: The pytest cache key of Frictionless's verdicts: {fingerprint: [valid, types]}.
CACHE_KEY = "bilat/frictionless-law"
#: Packages Frictionless validates on every run, its verdict held equal to the cache's.
ALWAYS = ("foreign_ok", "header_reordered", "parquet_valid")


@pytest.fixture(scope="module")
def verdicts(
    tmp_path_factory: pytest.TempPathFactory, pytestconfig: pytest.Config
) -> dict[str, Any]:
    store = getattr(pytestconfig, "cache", None)
    known: dict[str, list[Any]] = store.get(CACHE_KEY, {}) if store is not None else {}
    kept: dict[str, list[Any]] = {}
    root = tmp_path_factory.mktemp("corpus")
    out = {}
    for name, change in CORPUS.items():
        folder = build(name, root, chain(law_base, change))
        key = fingerprint(folder)
        if key not in known or name in ALWAYS:
            fr_valid, fr_types = frictionless_verdict(folder)
            if key in known:
                assert known[key] == [fr_valid, sorted(fr_types)], (name, "stale cache")
        else:
            fr_valid, fr_types = known[key][0], set(known[key][1])
        kept[key] = [fr_valid, sorted(fr_types)]
        report = validate(folder)
        out[name] = (fr_valid, fr_types, report)
    if store is not None and kept != known:
        store.set(CACHE_KEY, kept)
    return out


def test_a_changed_byte_changes_the_fingerprint(tmp_path: Path) -> None:
    folder = build("valid", tmp_path, lambda f: None)
    before = fingerprint(folder)
    assert fingerprint(folder) == before
    bytes_edit("persons.csv", b"Sergey", b"Sergei")(folder)
    assert fingerprint(folder) != before
    (folder / "extra").mkdir()
    after = fingerprint(folder)
    assert after != before
    (tmp_path / "outside" / "persons.csv").write_text("changed")
    assert fingerprint(folder) != after


def test_the_corpus_is_large_enough() -> None:
    assert len(CORPUS) >= 60


@pytest.mark.parametrize("name", sorted(CORPUS))
def test_frictionless_invalid_means_bilat_invalid(name: str, verdicts: dict[str, Any]) -> None:
    fr_valid, fr_types, report = verdicts[name]
    if not fr_valid:
        assert not report.valid, (name, fr_types, [f.code for f in report.findings])
    for finding in report.findings:
        assert finding.code in CATALOGUE and "{" not in finding.message


def test_the_corpus_covers_every_frictionless_error_type(verdicts: dict[str, Any]) -> None:
    seen = set().union(*(types for _, types, _ in verdicts.values()))
    assert FRICTIONLESS_TYPES <= seen, sorted(FRICTIONLESS_TYPES - seen)


@pytest.mark.parametrize("name", HEADER_VARIANTS)
def test_both_tools_refuse_every_header_variant(name: str, verdicts: dict[str, Any]) -> None:
    fr_valid, _, report = verdicts[name]
    assert not fr_valid and not report.valid


def test_header_only_is_valid_for_both(verdicts: dict[str, Any]) -> None:
    fr_valid, _, report = verdicts["header_only"]
    assert fr_valid and report.valid


def test_the_law_s_base_is_valid_for_both_and_holds_its_tables(tmp_path: Path) -> None:
    """The base of the corpus (the valid package's :data:`LAW_TABLES`) is a valid
    package to both tools, whose tables all have rows."""
    folder = build("base", tmp_path, law_base)
    desc = json.loads((folder / "datapackage.json").read_text())
    assert {e["name"] for e in desc["resources"]} == LAW_TABLES
    assert all(len((folder / e["path"]).read_bytes().splitlines()) > 1 for e in desc["resources"])
    assert frictionless_verdict(folder) == (True, set())
    assert validate(folder).findings == []


def test_every_frictionless_type_of_a_foreign_table_has_a_bilat_code(
    verdicts: dict[str, Any],
) -> None:
    """Foreign tables' errors map to codes that name the Frictionless type they match."""
    for name, (_, types, report) in verdicts.items():
        if not name.startswith("foreign_"):
            continue
        codes = {f.code for f in report.findings if f.resource == "notes"}
        for kind in types - {"package-error", "resource-error", "schema-error", "field-error"}:
            if kind.startswith("crash:") or kind == "control-error":
                continue
            matched = {c.code for c in CATALOGUE.values() if kind in c.frictionless}
            assert codes & (matched | {"table-error", "encoding-error"}), (name, kind, codes)


#: What Frictionless 5.21 does with Parquet and multi-file resources, measured (the
#: table in docs/frictionless.md): True where it calls the package valid.
MEASURED = {
    "multi_file_csv": True,
    "multi_file_csv_bad_cell": False,
    "multi_file_csv_no_header": True,  # the part's first row is dropped as a header
    "multi_file_csv_other_header": True,  # a part's header is never compared
    "parquet_valid": True,
    "parquet_bad_cell": False,
    "parquet_parts_bad_second": True,  # only the first Parquet part is read
    "parquet_parts_referenced_second": False,  # foreign-key: the ids are not found
    "parquet_column_name_not_utf8": False,
    "parquet_not_parquet": False,
    "parquet_columns_not_strings": False,
    "multi_file_other_extension": False,  # the .txt part is read as CSV
    "multi_file_csv_then_parquet": False,  # the Parquet part is read as CSV
    "multi_file_csv_no_final_newline": False,  # the last row runs into the next part
    "multi_file_csv_sniffed_as_one_stream": False,  # read with the delimiter ';'
    "format_upper_csv": False,
    "format_upper_parquet": False,
}


#: bilat's verdict on each: (valid, the first error's code, the file it names, its row).
BILAT = {
    "multi_file_csv": (True, None, None, None),
    "multi_file_csv_bad_cell": (False, "constraint-error", "persons2.csv", 2),
    "multi_file_csv_no_header": (False, "blank-header", "persons2.csv", 1),
    "multi_file_csv_other_header": (False, "missing-header", "persons2.csv", 1),
    # Parquet: rows numbered by their position in their file (the header row aside)
    "parquet_valid": (True, None, None, None),
    "parquet_bad_cell": (False, "constraint-error", "persons.parquet", 2),
    # every part is read: the second repeats the first's ids, and has the bad cell
    "parquet_parts_bad_second": (False, "duplicate-id", "persons-2.parquet", 1),
    # a file Parquet cannot read is unreadable, whatever the reason (never a crash)
    "parquet_column_name_not_utf8": (False, "parquet-unreadable", "persons.parquet", 1),
    "parquet_not_parquet": (False, "parquet-unreadable", "persons.parquet", 1),
    "parquet_columns_not_strings": (False, "type-error", "persons.parquet", None),
    "parquet_parts_referenced_second": (
        False,
        "reference-past-first-part",
        "tenures.csv",
        3,
    ),
    # a part whose extension is not the first part's is refused
    "multi_file_other_extension": (False, "unsupported-format", "persons2.txt", None),
    "multi_file_csv_then_parquet": (False, "unsupported-format", "persons2.parquet", None),
    "multi_file_csv_no_final_newline": (False, "table-error", "persons.csv", None),
    # the dialect Frictionless guesses from the parts' joined stream, at the first part
    "multi_file_csv_sniffed_as_one_stream": (False, "dialect-ambiguous", "persons.csv", None),
    "format_upper_csv": (False, "unsupported-format", "datapackage.json", None),
    "format_upper_parquet": (False, "unsupported-format", "datapackage.json", None),
}


@pytest.mark.scale
@pytest.mark.parametrize("name", sorted(MEASURED))
def test_what_frictionless_does_with_parquet_and_parts(name: str, verdicts: dict[str, Any]) -> None:
    fr_valid, fr_types, report = verdicts[name]
    assert fr_valid is MEASURED[name], fr_types
    errors = [f for f in report.findings if f.severity == "error"]
    first = (errors[0].code, errors[0].path, errors[0].row) if errors else (None, None, None)
    assert (report.valid, *first) == BILAT[name], [f.to_dict() for f in errors[:3]]


#: Packages of the corpus where the engines once went apart from the law: each engine
#: must give the row engine's report.
ENGINES_ALIKE = [
    "multi_file_other_extension",
    "multi_file_csv_then_parquet",
    "format_upper_csv",
    "format_upper_parquet",
    "multi_file_csv_no_final_newline",
    "parquet_parts_referenced_second",
]


@pytest.mark.scale
@pytest.mark.parametrize("name", ENGINES_ALIKE)
def test_every_engine_gives_the_same_report(name: str, tmp_path: Path) -> None:
    folder = build(name, tmp_path, chain(law_base, CORPUS[name]))
    rows = [f.to_dict() for f in validate(folder, engine="rows").findings]
    for engine in ("columnar", "sql", "auto"):
        assert [f.to_dict() for f in validate(folder, engine=engine).findings] == rows, engine


def test_every_parquet_column_not_of_strings_is_named_with_its_type(tmp_path: Path) -> None:
    folder = build("typed", tmp_path, chain(law_base, CORPUS["parquet_columns_not_strings"]))
    found = {(f.field, f.value) for f in validate(folder).findings if f.code == "type-error"}
    assert found == {("notes", "int64"), ("kind", "double")}
