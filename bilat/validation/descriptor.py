"""Layer 1: the descriptor is readable, a valid Data Package, and safe."""

from __future__ import annotations

import json
import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bilat.findings import Finding, make
from bilat.tables import KIND_OF_RESOURCE, RESOURCE_NAMES, table_schema

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


@dataclass
class ResourcePlan:
    """A resource that passed layer 1 far enough to be read."""

    name: str
    kind: str
    fmt: str  # "csv" or "json"
    path: str  # as written in the descriptor
    file: Path
    compression: str | None

    def finding(self, code: str, **fields: Any) -> Finding:
        """A finding of *code* located in this resource."""
        return make(code, resource=self.name, path=self.path, **fields)


@dataclass
class DescriptorResult:
    descriptor: dict[str, Any] | None
    plans: list[ResourcePlan]
    findings: list[Finding]
    #: Record kinds declared by a resource that cannot be read.
    unread: set[str]


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


def load_descriptor(path: Path) -> tuple[dict[str, Any] | None, Finding | None]:
    """Read datapackage.json strictly: UTF-8, one object, no duplicate keys, no NaN."""
    where = path.name
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        return None, make("descriptor-unreadable", path=where, detail="the file does not exist")
    except OSError as exc:
        return None, make("descriptor-unreadable", path=where, detail=exc.strerror or str(exc))
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


def path_problem(value: str) -> str | None:
    """Why a resource path is unsafe, or None when it is a plain relative path."""
    if value == "":
        return "it is empty"
    if "\x00" in value:
        return "it contains a NUL character"
    if "\\" in value:
        return "it contains a backslash; use forward slashes"
    if value.startswith("/") or re.match(r"^[A-Za-z]:", value):
        return "it is absolute"
    if value.startswith("~") or "$" in value or "%" in value:
        return "it names a home folder or variable"
    parts = value.split("/")
    if ".." in parts:
        return "it climbs out of the package with '..'"
    if any(p.startswith(".") for p in parts):
        return "it names a hidden file or folder"
    if any(p == "" for p in parts):
        return "it has an empty part ('//' or a trailing '/')"
    return None


def _inside(root: Path, file: Path) -> bool:
    try:
        file.resolve(strict=False).relative_to(root.resolve())
    except ValueError:
        return False
    return True


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
    a, e = _comparable(actual), _comparable(expected)
    if a == e:
        return None
    a_fields = {f.get("name"): f for f in a["fields"] if isinstance(f, dict)}
    for f in e["fields"]:
        got = a_fields.get(f["name"])
        if got is None:
            return f"field {f['name']!r} is missing from the Table Schema"
        if got != f:
            return f"field {f['name']!r} differs from the schema generated from the models"
    names = [f.get("name") for f in a["fields"] if isinstance(f, dict)]
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
    import frictionless

    report = frictionless.Package.validate_descriptor(data)
    out = []
    for error in report.flatten(["type", "message"]):
        kind, message = error
        prefix = "The data package has an error: "
        out.append(
            make(
                "descriptor-invalid", path=where, detail=f"{message.removeprefix(prefix)} ({kind})"
            )
        )
    return out


def check(root: Path, descriptor_path: Path) -> DescriptorResult:
    """Run layer 1 and plan which resources layer 2 can read."""
    findings: list[Finding] = []
    data, problem = load_descriptor(descriptor_path)
    if problem is not None:
        return DescriptorResult(None, [], [problem], set())
    assert data is not None
    where = descriptor_path.name

    def desc(code: str, **kw: Any) -> None:
        findings.append(make(code, path=kw.pop("path", where), **kw))

    profile = data.get("profile", data.get("$schema"))
    if isinstance(profile, str) and profile not in KNOWN_PROFILES and _REMOTE.match(profile):
        desc("remote-reference", field="profile", value=profile, detail="the package profile")
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

    names: list[str] = [
        str(r["name"]) for r in resources if isinstance(r, dict) and isinstance(r.get("name"), str)
    ]
    present = frozenset(n for n in names if n in KIND_OF_RESOURCE)
    seen: set[str] = set()
    plans: list[ResourcePlan] = []
    for index, res in enumerate(resources):
        pointer = f"/resources/{index}"
        if not isinstance(res, dict):
            desc("descriptor-invalid", pointer=pointer, detail=f"resource {index} is not an object")
            continue
        rname = res.get("name")
        if not isinstance(rname, str) or not _NAME.match(rname):
            desc(
                "descriptor-invalid",
                pointer=pointer,
                field="name",
                value=rname,
                detail=f"resource {index} needs a name of lowercase letters, digits, '.', '_' or '-'",
            )
            continue
        if rname in seen:
            desc("duplicate-resource", resource=rname, value=rname, pointer=pointer)
            continue
        seen.add(rname)

        def rfind(code: str, **kw: Any) -> None:
            desc(code, resource=rname, pointer=kw.pop("pointer", pointer), **kw)  # noqa: B023

        for key in ("schema", "dialect", "profile", "$schema"):
            value = res.get(key)
            if isinstance(value, str) and _REMOTE.match(value) and value not in KNOWN_PROFILES:
                rfind("remote-reference", field=key, value=value, detail=f"the resource's {key}")
        if "data" in res and "path" not in res:
            rfind(
                "unsupported-format",
                field="data",
                detail="inline data is not supported; store records in a file",
            )
            continue
        path = res.get("path")
        if isinstance(path, list):
            rfind(
                "unsupported-format",
                field="path",
                detail="multi-file resources are not supported; use one file",
            )
            continue
        if not isinstance(path, str):
            rfind("descriptor-invalid", field="path", detail="the resource has no path")
            continue
        if _REMOTE.match(path):
            rfind("remote-reference", field="path", value=path, detail="the resource path")
            continue
        why = path_problem(path)
        if why:
            rfind("unsafe-path", field="path", value=path, detail=why)
            continue
        file = root.joinpath(*path.split("/"))
        kind = KIND_OF_RESOURCE.get(rname)
        if kind is None:
            rfind("unknown-resource", value=rname)
        if not os.path.lexists(file):
            rfind("resource-missing", path=path, field="path", value=path)
            continue
        if not _inside(root, file):
            rfind(
                "unsafe-path",
                path=path,
                field="path",
                value=path,
                detail="it is a link leading outside the package",
            )
            continue
        try:
            mode = os.stat(file).st_mode
        except OSError as exc:
            rfind(
                "not-a-regular-file",
                path=path,
                field="path",
                value=path,
                detail=exc.strerror or "cannot be read",
            )
            continue
        if not stat.S_ISREG(mode):
            rfind(
                "not-a-regular-file",
                path=path,
                field="path",
                value=path,
                detail="it is a folder or special file",
            )
            continue
        if kind is None:
            continue

        encoding = res.get("encoding")
        if not (isinstance(encoding, str) and encoding.lower().replace("-", "") == "utf8"):
            rfind("encoding-not-pinned", field="encoding", value=encoding)
        fmt = str(res.get("format") or "").lower() or path.rsplit(".", 1)[-1].lower()
        compression = res.get("compression")
        if path.endswith(".gz") and compression is None:
            compression = "gz"
            if not res.get("format"):
                fmt = path[:-3].rsplit(".", 1)[-1].lower()
        if compression not in (None, "gz", "gzip"):
            rfind(
                "unsupported-format",
                field="compression",
                value=compression,
                detail=f"compression {compression!r} is not supported; use gz",
            )
            continue
        if fmt == "json":
            plans.append(ResourcePlan(rname, kind, "json", path, file, None))
            continue
        if fmt != "csv":
            rfind(
                "unsupported-format",
                field="format",
                value=fmt,
                detail=f"format {fmt!r} is not supported; use csv or json",
            )
            continue
        dialect = res.get("dialect")
        delimiter = dialect.get("delimiter") if isinstance(dialect, dict) else None
        if delimiter is None:
            rfind(
                "dialect-not-pinned",
                field="dialect",
                detail="the CSV dialect's delimiter is not declared",
            )
        elif delimiter != ",":
            rfind(
                "unsupported-format",
                field="dialect",
                value=delimiter,
                detail=f"delimiter {delimiter!r} is not supported; bilat CSV uses ','",
            )
            continue
        if isinstance(dialect, dict) and dialect.get("header") is False:
            rfind(
                "unsupported-format",
                field="dialect",
                detail="CSV without a header row is not supported",
            )
            continue
        difference = _schema_difference(res.get("schema"), table_schema(kind, present))
        if difference:
            rfind("table-schema-mismatch", field="schema", detail=difference)
        plans.append(ResourcePlan(rname, kind, "csv", path, file, "gz" if compression else None))
    if not any(f.severity == "error" for f in findings):
        # what bilat's own checks did not catch but Frictionless would refuse
        findings.extend(_profile_findings(data, where))
    order = list(RESOURCE_NAMES.values())
    plans.sort(key=lambda p: order.index(p.name))
    planned = {p.name for p in plans}
    unread = {KIND_OF_RESOURCE[n] for n in names if n in KIND_OF_RESOURCE and n not in planned}
    return DescriptorResult(data, plans, findings, unread)
