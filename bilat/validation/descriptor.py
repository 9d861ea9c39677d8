"""Layer 1: the descriptor is readable, a valid Data Package, and safe."""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from bilat.files import (
    FileProblem,
    atomic_write,
    inside,
    path_problem,
    read_capped,
    why_not_regular,
)
from bilat.findings import CodeName, Finding, make
from bilat.tables import KIND_OF_RESOURCE, RESOURCE_NAMES, field_names, table_schema
from bilat.validation.dialect import Dialect
from bilat.validation.dialect import resolve as resolve_dialect
from bilat.versions import CURRENT, VERSIONS
from bilat.versions import KEY as VERSION_KEY
from bilat.versions import declared as declared_version
from bilat.versions import kinds as version_kinds

#: Profiles that name the standard and are never fetched.
KNOWN_PROFILES = {
    "data-package",
    "tabular-data-package",
    "data-resource",
    "tabular-data-resource",
    "https://datapackage.org/profiles/2.0/datapackage.json",
    "https://datapackage.org/profiles/2.0/dataresource.json",
    "https://datapackage.org/profiles/1.0/datapackage.json",
    "https://datapackage.org/profiles/1.0/dataresource.json",
    "https://specs.frictionlessdata.io/schemas/data-package.json",
    "https://specs.frictionlessdata.io/schemas/data-resource.json",
}
_REMOTE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")
_NAME = re.compile(r"^[a-z0-9._-]+$")


@dataclass(frozen=True)
class Expected:
    """Counts and hash a resource declares (``bytes``, ``hash``, ``fields``, ``rows``,
    or the same under ``stats``), checked once the file has been read."""

    bytes: int | None = None
    hash_algorithm: str | None = None
    hash_value: str | None = None
    fields: int | None = None
    rows: int | None = None

    def __bool__(self) -> bool:
        return any(v is not None for v in (self.bytes, self.hash_value, self.fields, self.rows))


@dataclass
class ResourcePlan:
    """A resource that passed layer 1 far enough to be read."""

    name: str
    kind: str
    fmt: str  # "csv", "json" or "parquet"
    path: str  # as written in the descriptor
    file: Path
    compression: str | None
    dialect: Dialect = field(default_factory=Dialect)
    expect: Expected = field(default_factory=Expected)
    #: the Table Schema in the descriptor differs from the generated one
    schema_stale: bool = False
    #: the bilat schema version the package declares (see bilat.versions)
    version: str = CURRENT
    #: set by layer 2 when rows were not read (so references into it may be there)
    incomplete: bool = False
    #: the files of every part of its resource, in order, when it is one part of a
    #: multi-file resource (an engine may read them together)
    parts: tuple[Path, ...] = ()

    #: set by the run: whether a finding would be kept (see Report.wants)
    gate: Callable[[str | None, CodeName, int | None], bool] | None = None

    @property
    def current(self) -> bool:
        """Whether the package is written for the schema version bilat generates."""
        return self.version == CURRENT

    @property
    def current_columns(self) -> bool:
        """Whether this table's columns in the declared schema version are the current
        version's (a table the newer version did not change reads as a current one)."""
        return self.current or field_names(self.kind, self.version) == field_names(self.kind)

    def finding(self, code: CodeName, **fields: Any) -> Finding | None:
        """A finding of *code* located in this resource, or None when the report's cap
        for this code is reached (the finding is then only counted as omitted)."""
        if self.gate is not None and not self.gate(self.name, code, fields.get("row")):
            return None
        return make(code, resource=self.name, path=self.path, **fields)


@dataclass
class ForeignPlan:
    """A resource that is not a bilat record table, checked by Frictionless."""

    name: str
    index: int
    path: str | None
    file: Path | None


@dataclass
class DescriptorResult:
    descriptor: dict[str, Any] | None
    plans: list[ResourcePlan]
    findings: list[Finding]
    #: Record kinds declared by a resource that cannot be read.
    unread: set[str]
    foreign: list[ForeignPlan] = field(default_factory=list)
    #: resource names in the descriptor's order
    order: list[str] = field(default_factory=list)
    #: the bilat schema version the package is validated against
    version: str = CURRENT
    #: whether the package is a bilat package (see :func:`is_bilat_package`)
    bilat: bool = True


def _field_names(res: dict[str, Any]) -> list[Any] | None:
    schema = res.get("schema")
    fields = schema.get("fields") if isinstance(schema, dict) else None
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        return None
    return [f.get("name") for f in fields]


def is_bilat_package(data: dict[str, Any]) -> bool:
    """Whether the descriptor *data* is a bilat package's.

    It is when it declares a bilat schema version (``"bilat"``, even a malformed
    one), or when one of its resources is named like a bilat record type and its
    inline Table Schema has exactly that type's fields (names, in any order) in one
    of the schema versions this bilat knows: packages written before declarations
    existed are still recognised. Any other package is foreign: every table in it is
    checked against its own Table Schema, and it gets no schema-version findings.
    """
    if VERSION_KEY in data:
        return True
    resources = data.get("resources")
    if not isinstance(resources, list):
        return False
    for res in resources:
        if not isinstance(res, dict):
            continue
        kind = KIND_OF_RESOURCE.get(str(res.get("name")))
        names = _field_names(res) if kind is not None else None
        if names is None or len(set(map(str, names))) != len(names):
            continue
        for version in VERSIONS:
            if kind in version_kinds(version) and set(names) == set(field_names(kind, version)):
                return True
    return False


class _DuplicateKey(ValueError):
    pass


def _pairs(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    seen: dict[str, Any] = {}
    for key, value in pairs:
        if key in seen:
            raise _DuplicateKey(key)
        seen[key] = value
    return seen


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


#: Largest datapackage.json bilat reads.
MAX_DESCRIPTOR_BYTES = 32 << 20


def load_descriptor(
    path: Path, cap: int = MAX_DESCRIPTOR_BYTES
) -> tuple[dict[str, Any] | None, Finding | None]:
    """Read datapackage.json strictly: UTF-8, one object, no duplicate keys, no NaN.

    A YAML descriptor is refused by name (docs/frictionless.md says why)."""
    where = path.name
    if path.suffix.lower() in (".yaml", ".yml"):
        return None, make(
            "descriptor-unreadable",
            path=where,
            detail=f"the package's descriptor is {where}, a YAML file; bilat reads JSON "
            "descriptors only: convert it to datapackage.json (docs/frictionless.md shows how)",
        )
    try:
        raw = read_capped(path, cap)
    except FileProblem as exc:
        return None, make("descriptor-unreadable", path=where, detail=str(exc))
    try:
        text = raw.decode("utf-8-sig")
        data = json.loads(text, object_pairs_hook=_pairs, parse_constant=_reject_constant)
    except UnicodeDecodeError as exc:
        return None, make(
            "descriptor-unreadable",
            path=where,
            detail=f"not UTF-8 ({exc.reason} at byte {exc.start})",
        )
    except _DuplicateKey as exc:
        return None, make(
            "descriptor-unreadable", path=where, detail=f"key {exc} appears twice in one object"
        )
    except json.JSONDecodeError as exc:
        return None, make(
            "descriptor-unreadable",
            path=where,
            row=exc.lineno,
            column=exc.colno,
            detail=f"{exc.msg} (line {exc.lineno}, column {exc.colno})",
        )
    except (ValueError, RecursionError) as exc:
        return None, make(
            "descriptor-unreadable", path=where, detail=str(exc) or "nested too deeply"
        )
    if not isinstance(data, dict):
        return None, make(
            "descriptor-unreadable", path=where, detail="the top level is not a JSON object"
        )
    return data, None


def _comparable(schema: dict[str, Any]) -> dict[str, Any]:
    """A Table Schema without its descriptions, for comparison."""
    fields = [
        {k: v for k, v in f.items() if k not in ("description", "title")}
        for f in schema.get("fields", [])
    ]
    return {
        "fields": fields,
        "primaryKey": schema.get("primaryKey"),
        "foreignKeys": schema.get("foreignKeys", []),
        "missingValues": schema.get("missingValues", [""]),
    }


def _schema_difference(actual: Any, expected: dict[str, Any]) -> str | None:
    if not isinstance(actual, dict):
        return "the Table Schema must be written inline as an object"
    fields = actual.get("fields")
    if not isinstance(fields, list) or not all(isinstance(f, dict) for f in fields):
        return "the Table Schema's fields must be a list of field objects"
    a, e = _comparable(actual), _comparable(expected)
    if a == e:
        return None
    a_fields = {str(f.get("name")): f for f in a["fields"]}
    for f in e["fields"]:
        got = a_fields.get(f["name"])
        if got is None:
            return f"field {f['name']!r} is missing from the Table Schema"
        if got != f:
            return f"field {f['name']!r} differs from the schema generated from the models"
    names = [f.get("name") for f in a["fields"]]
    extra = [n for n in names if n not in {f["name"] for f in e["fields"]}]
    if extra:
        return f"field {extra[0]!r} is not a field of this record type"
    if names != [f["name"] for f in e["fields"]]:
        return "the fields are not in the order of the generated schema"
    for key in ("primaryKey", "foreignKeys", "missingValues"):
        if a[key] != e[key]:
            return f"{key} differs from the generated Table Schema"
    return "the Table Schema differs from the generated one"


def _profile_findings(data: dict[str, Any], where: str) -> list[Finding]:
    """Check the descriptor against the Data Package profile, as Frictionless does.

    Frictionless's own descriptor check is used, so that a package bilat passes is
    one Frictionless accepts. It runs only when bilat's checks found no error, so
    never on a descriptor with remote references (it would fetch them), and it does
    not repeat what bilat already reported more precisely.
    """
    cached = _ProfileCache(data)
    errors = cached.get()
    if errors is None:
        import frictionless

        try:
            report = frictionless.Package.validate_descriptor(data)
            errors = [list(e) for e in report.flatten(["type", "message"])]
        except Exception as exc:  # Frictionless itself failing is a finding, not a crash
            return [
                make(
                    "descriptor-invalid", path=where, detail=f"Frictionless cannot read it ({exc})"
                )
            ]
        cached.put(errors)
    out = []
    for kind, message in errors:
        prefix = "The data package has an error: "
        out.append(
            make(
                "descriptor-invalid", path=where, detail=f"{message.removeprefix(prefix)} ({kind})"
            )
        )
    return out


@cache
def _frictionless_version() -> str:
    """The installed Frictionless's version (read once: reading it parses its metadata)."""
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("frictionless")
    except PackageNotFoundError:  # pragma: no cover - a dependency
        return "?"


class _ProfileCache:
    """Frictionless's verdict on a descriptor, kept in the user cache by a digest of
    the descriptor and the versions of bilat and Frictionless: importing Frictionless
    and running its check costs most of a second, and the verdict depends on nothing
    else. Reading or writing the cache never fails a run."""

    def __init__(self, data: dict[str, Any]) -> None:
        from bilat.about import __version__

        text = json.dumps(
            [__version__, _frictionless_version(), data], sort_keys=True, ensure_ascii=False
        )
        digest = hashlib.sha256(text.encode("utf-8", "surrogatepass")).hexdigest()
        from bilat.cachedir import CacheDirError, cache_root

        try:
            self.path: Path | None = cache_root() / ".verdicts" / f"{digest}.json"
        except CacheDirError:  # no cache folder: the verdict is not remembered
            self.path = None

    def get(self) -> list[list[str]] | None:
        if self.path is None:
            return None
        try:
            errors = json.loads(read_capped(self.path, 1 << 20))
        except (FileProblem, OSError, ValueError):
            return None
        if isinstance(errors, list) and all(
            isinstance(e, list) and len(e) == 2 and all(isinstance(x, str) for x in e)
            for e in errors
        ):
            return errors
        return None

    def put(self, errors: list[list[str]]) -> None:
        if self.path is None:
            return
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            atomic_write(self.path, json.dumps(errors).encode())
        except OSError:
            pass


_HASHES = {"md5": 32, "sha1": 40, "sha256": 64, "sha512": 128}


def _expected(res: dict[str, Any], add: Any) -> Expected:
    """The bytes, hash, fields and rows *res* declares, as Frictionless reads them."""
    values: dict[str, Any] = {}
    stats = res.get("stats")
    if isinstance(stats, dict):
        for key in ("bytes", "fields", "rows"):
            if stats.get(key):
                values[key] = stats[key]
        if stats.get("sha256"):
            values["hash"] = f"sha256:{stats['sha256']}"
        elif stats.get("md5"):
            values["hash"] = f"md5:{stats['md5']}"
    elif stats is not None:
        add("descriptor-invalid", field="stats", detail="stats must be an object")
    for key in ("bytes", "fields", "rows", "hash"):
        if res.get(key):
            values[key] = res[key]
    out: dict[str, Any] = {}
    for key in ("bytes", "fields", "rows"):
        value = values.get(key)
        if value is None:
            continue
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            add("descriptor-invalid", field=key, value=value, detail=f"{key} must be a count")
        else:
            out[key] = value
    declared = values.get("hash")
    if declared is not None:
        if not isinstance(declared, str):
            add("descriptor-invalid", field="hash", value=declared, detail="hash must be a string")
        else:
            algorithm, _, digest = declared.rpartition(":")
            algorithm = algorithm.lower() or "md5"
            if algorithm not in _HASHES or len(digest) != _HASHES[algorithm]:
                add(
                    "descriptor-invalid",
                    field="hash",
                    value=declared,
                    detail="hash must be md5, sha1, sha256 or sha512 hex, as 'sha256:...'",
                )
            else:
                out["hash_algorithm"], out["hash_value"] = algorithm, digest.lower()
    return Expected(**out)


def _stale(rfind: Any, stale: list[tuple[str, str]]) -> None:
    """One finding for everything that differs from the descriptor bilat generates."""
    if stale:
        rfind("schema-stale", field=stale[0][0], detail="; ".join(why for _, why in stale))


@dataclass
class _Scope:
    """What the checks of each resource share: the package root, the record kinds and
    resources of the package's schema version, the names seen, and the reporter."""

    root: Path
    known: tuple[str, ...]
    present: frozenset[str]
    version: str
    seen: set[str]
    desc: Callable[..., None]


def _resource_plan(
    index: int, res: Any, scope: _Scope
) -> ResourcePlan | ForeignPlan | list[ResourcePlan] | None:
    """Layer 1 over resource number *index*: a plan for layer 2 (a record table, or a
    resource Frictionless checks), or None when it cannot be read."""
    # long: the checks of one resource in the order a reader needs them, each failure reported and ending it
    pointer = f"/resources/{index}"
    if not isinstance(res, dict):
        scope.desc(
            "descriptor-invalid", pointer=pointer, detail=f"resource {index} is not an object"
        )
        return None
    rname = res.get("name")
    if not isinstance(rname, str) or not _NAME.match(rname):
        scope.desc(
            "descriptor-invalid",
            pointer=pointer,
            field="name",
            value=rname,
            detail=f"resource {index} needs a name of lowercase letters, digits, '.', '_' or '-'",
        )
        return None
    if rname in scope.seen:
        scope.desc("duplicate-resource", resource=rname, value=rname, pointer=pointer)
        return None
    scope.seen.add(rname)

    def rfind(code: CodeName, **kw: Any) -> None:
        scope.desc(code, resource=rname, pointer=kw.pop("pointer", pointer), **kw)

    kind = KIND_OF_RESOURCE.get(rname)
    if kind not in scope.known:
        kind = None  # a record type of a later schema version: not a table of this one
    remote = False
    for key in ("schema", "dialect", "profile", "$schema"):
        value = res.get(key)
        if isinstance(value, str) and _REMOTE.match(value) and value not in KNOWN_PROFILES:
            rfind("remote-reference", field=key, value=value, detail=f"the resource's {key}")
            remote = True
        elif isinstance(value, str) and key in ("schema", "dialect"):
            why = path_problem(value)
            if why:
                rfind("unsafe-path", field=key, value=value, detail=why)
                remote = True
        elif key in ("profile", "$schema") and value is not None and not isinstance(value, str):
            rfind("descriptor-invalid", field=key, value=value, detail=f"{key} must be a string")
    if "data" in res and "path" not in res:
        if kind is not None:
            rfind(
                "unsupported-format",
                field="data",
                detail="inline data is not supported; store records in a file",
            )
        elif not remote:
            rfind("unknown-resource", value=rname)
            return ForeignPlan(rname, index, None, None)
        return None
    path = res.get("path")
    if isinstance(path, list):
        return _parts_plan(res, rname, kind, path, scope, rfind, remote)
    if not isinstance(path, str):
        rfind("descriptor-invalid", field="path", detail="the resource has no path")
        return None
    return _part_plan(res, rname, kind, path, scope, rfind, remote, index)


#: What a multi-file resource may not declare: bilat checks each part on its own.
_WHOLE = ("bytes", "hash", "rows", "stats")


def _parts_plan(
    res: dict[str, Any],
    rname: str,
    kind: str | None,
    path: list[Any],
    scope: _Scope,
    rfind: Callable[..., None],
    remote: bool,
) -> list[ResourcePlan] | None:
    """A multi-file record table (``path`` a list): a plan for each part, read in
    order, each with its own header row (docs/frictionless.md says why)."""
    # long: the parts' one format, then each part's plan, whose failure is never silent
    if kind is None or not path or not all(isinstance(p, str) for p in path):
        rfind(
            "unsupported-format",
            field="path",
            detail="a multi-file resource must be a bilat record table with a list of paths",
        )
        return None
    declared = [key for key in _WHOLE if key in res]
    if declared:
        rfind(
            "unsupported-format",
            field=declared[0],
            detail=f"{declared[0]!r} of a multi-file resource is not checked; remove it",
        )
        return None
    if not res.get("format"):
        # Frictionless reads every part in the format of the first one's extension
        first = _extension(path[0])
        for i, part in enumerate(path[1:], start=2):
            if _extension(part) != first:
                rfind(
                    "unsupported-format",
                    path=part,
                    field="path",
                    value=part,
                    detail=f"part {i} is not a {first!r} file as the first part is: "
                    f"Frictionless reads every part in the first one's format; "
                    f"give the parts one extension",
                )
                return None
        res = {**res, "format": first}
    plans = []
    for i, part in enumerate(path):
        held: list[tuple[CodeName, dict[str, Any]]] = []

        def find(
            code: CodeName,
            _i: int = i,
            _held: list[tuple[CodeName, dict[str, Any]]] = held,
            **kw: Any,
        ) -> None:
            if _i > 0 and kw.get("field") != "path":
                _held.append((code, kw))  # said once, for the first part, unless
                return  # this part fails where the first did not
            rfind(code, **kw)

        plan = _part_plan(res, rname, kind, part, scope, find, remote, None)
        if not isinstance(plan, ResourcePlan):
            for code, kw in held:
                rfind(code, **{"path": part, **kw})
            return None
        if plan.fmt == "json":
            rfind("unsupported-format", field="format", detail="multi-file JSON is not supported")
            return None
        plans.append(plan)
    for plan in plans:
        plan.parts = tuple(p.file for p in plans)
    return plans


def _extension(path: str) -> str:
    """The format a path's extension names (lower case; a ``.gz`` is not one)."""
    return path.removesuffix(".gz").rsplit(".", 1)[-1].lower()


def _part_plan(
    res: dict[str, Any],
    rname: str,
    kind: str | None,
    path: str,
    scope: _Scope,
    rfind: Callable[..., None],
    remote: bool,
    index: int | None,
) -> ResourcePlan | ForeignPlan | None:
    """The plan of the file at *path* (one resource, or a part of one)."""
    if _REMOTE.match(path):
        rfind("remote-reference", field="path", value=path, detail="the resource path")
        return None
    why = path_problem(path)
    if why:
        rfind("unsafe-path", field="path", value=path, detail=why)
        return None
    file = scope.root.joinpath(*path.split("/"))
    if kind is None:
        rfind("unknown-resource", value=rname)
    if not os.path.lexists(file):
        rfind("resource-missing", path=path, field="path", value=path)
        return None
    where_to = inside(scope.root, file)
    if not where_to:
        rfind(
            "unsafe-path" if where_to is False else "not-a-regular-file",
            path=path,
            field="path",
            value=path,
            detail="it is a link leading outside the package"
            if where_to is False
            else "it is a symbolic link loop",
        )
        return None
    why_not = why_not_regular(file)
    if why_not:
        rfind("not-a-regular-file", path=path, field="path", value=path, detail=why_not)
        return None
    if kind is None:
        if not remote and index is not None:
            return ForeignPlan(rname, index, path, file)
        return None
    return _table_plan(res, rname, kind, path, file, scope, rfind)


def _table_plan(
    res: dict[str, Any],
    rname: str,
    kind: str,
    path: str,
    file: Path,
    scope: _Scope,
    rfind: Callable[..., None],
) -> ResourcePlan | None:
    """The plan of a record table: its format, compression, dialect and Table Schema."""
    # long: a record table's format, compression, dialect and Table Schema, checked in that order
    expect = _expected(res, rfind)
    stale: list[tuple[str, str]] = []  # (field, why): one schema-stale finding says all
    encoding = res.get("encoding")
    if not (isinstance(encoding, str) and encoding.lower().replace("-", "") == "utf8"):
        stale.append(("encoding", 'the resource does not declare "encoding": "utf-8"'))
    declared_format = res.get("format")
    # a declared format is taken as written: Frictionless knows "csv", not "CSV"
    fmt = str(declared_format) if declared_format else _extension(path)
    compression = res.get("compression")
    if path.endswith(".gz") and compression is None:
        compression = "gz"
    if compression not in (None, "gz", "gzip"):
        rfind(
            "unsupported-format",
            field="compression",
            value=compression,
            detail=f"compression {compression!r} is not supported; use gz",
        )
        return None
    if fmt == "json":
        _stale(rfind, stale)
        return ResourcePlan(
            rname, kind, "json", path, file, None, expect=expect, version=scope.version
        )
    if fmt == "parquet" and compression is None:
        # the columns are checked against the Table Schema when the file is read
        generated = table_schema(kind, scope.version, scope.present)
        assert generated is not None  # kind is one of the version's
        difference = _schema_difference(res.get("schema"), generated)
        _stale(rfind, [("schema", difference)] if difference else [])
        return ResourcePlan(
            rname, kind, "parquet", path, file, None, expect=expect, version=scope.version
        )
    if fmt != "csv":
        rfind(
            "unsupported-format",
            field="format",
            value=fmt,
            detail=f"format {fmt!r} is not supported; use csv, json or parquet"
            + (" (Frictionless knows formats in lower case only)" if fmt != fmt.lower() else ""),
        )
        return None
    resolved = resolve_dialect(res.get("dialect"))
    for code, detail in resolved.problems:
        rfind(code, field="dialect", detail=detail)
    if resolved.dialect is None:
        return None
    if "delimiter" not in resolved.dialect.declared:
        rfind(
            "dialect-not-pinned",
            field="dialect",
            detail="the CSV dialect's delimiter is not declared",
        )
    generated = table_schema(kind, scope.version, scope.present)
    assert generated is not None  # kind is one of the version's
    difference = _schema_difference(res.get("schema"), generated)
    if difference:
        stale.insert(0, ("schema", difference))
    _stale(rfind, stale)
    return ResourcePlan(
        rname,
        kind,
        "csv",
        path,
        file,
        "gz" if compression else None,
        dialect=resolved.dialect,
        expect=expect,
        schema_stale=difference is not None,
        version=scope.version,
    )


def check(root: Path, descriptor_path: Path, adopt: bool = False) -> DescriptorResult:
    """Run layer 1 and plan which resources layer 2 can read.

    A package that is not a bilat package (:func:`is_bilat_package`) has no record
    tables: every resource is checked by Frictionless. With *adopt* it is read as a
    bilat package all the same (``bilat fmt --adopt``).
    """
    # long: the package's properties, then each resource, then Frictionless's profile check
    findings: list[Finding] = []
    data, problem = load_descriptor(descriptor_path)
    if problem is not None:
        return DescriptorResult(None, [], [problem], set())
    assert data is not None
    where = descriptor_path.name

    def desc(code: CodeName, **kw: Any) -> None:
        findings.append(make(code, path=kw.pop("path", where), **kw))

    for key in ("profile", "$schema"):
        profile = data.get(key)
        if profile is None:
            continue
        if not isinstance(profile, str):
            desc("descriptor-invalid", field=key, value=profile, detail=f"{key} must be a string")
        elif profile not in KNOWN_PROFILES and _REMOTE.match(profile):
            desc("remote-reference", field=key, value=profile, detail="the package profile")
    name = data.get("name")
    if name is not None and (not isinstance(name, str) or not _NAME.match(name)):
        desc(
            "descriptor-invalid",
            field="name",
            value=name,
            detail="the package name must be lowercase letters, digits, '.', '_' or '-'",
        )
    resources = data.get("resources")
    if not isinstance(resources, list) or not resources:
        desc(
            "descriptor-invalid",
            field="resources",
            detail="a Data Package needs a non-empty 'resources' array",
        )
        return DescriptorResult(data, [], findings, set())

    bilat = adopt or is_bilat_package(data)
    version, why = declared_version(data)
    if not bilat:
        version = CURRENT  # no record tables: the version names none of its tables
    elif version is None:
        desc("schema-version-unknown", field="bilat", value=data.get("bilat"), detail=why)
        version = CURRENT  # its rows are still checked, against the newest schemas
    elif version != CURRENT:
        desc("schema-outdated", field="bilat", value=version, detail=VERSIONS[-1])
    known = version_kinds(version) if bilat else ()
    names: list[str] = [
        str(r["name"]) for r in resources if isinstance(r, dict) and isinstance(r.get("name"), str)
    ]
    present = frozenset(n for n in names if KIND_OF_RESOURCE.get(n) in known)
    plans: list[ResourcePlan] = []
    foreign: list[ForeignPlan] = []
    scope = _Scope(root, known, present, version, set(), desc)
    for index, res in enumerate(resources):
        planned_one = _resource_plan(index, res, scope)
        if isinstance(planned_one, ResourcePlan):
            plans.append(planned_one)
        elif isinstance(planned_one, list):
            plans.extend(planned_one)
        elif isinstance(planned_one, ForeignPlan):
            foreign.append(planned_one)
    if not any(f.severity == "error" for f in findings):
        # what bilat's own checks did not catch but Frictionless would refuse
        findings.extend(_profile_findings(data, where))
    order = list(RESOURCE_NAMES.values())
    plans.sort(key=lambda p: order.index(p.name))
    planned = {p.name for p in plans}
    unread = {KIND_OF_RESOURCE[n] for n in names if n in present and n not in planned}
    return DescriptorResult(data, plans, findings, unread, foreign, names, version, bilat)
