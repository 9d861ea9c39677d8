"""The finding codes of layer 1, the descriptor, in catalogue order (emitted by
bilat/validation/__init__.py (the target, a bug), descriptor.py, dialect.py).

:data:`bilat.findings.CATALOGUE` is these codes after those of the layers above.
"""

from __future__ import annotations

from bilat.codes import Code, entry

CODES: tuple[Code, ...] = (
    entry(
        "target-unreadable",
        "descriptor",
        "error",
        "{detail}",
        "Give a package folder, a datapackage.json, a .zip or a bundled dataset name.",
    ),
    entry(
        "internal-error",
        "descriptor",
        "error",
        "bilat failed on this input ({detail}); the report is incomplete",
        "This is a bug in bilat: please report it with the input that caused it.",
    ),
    entry(
        "descriptor-unreadable",
        "descriptor",
        "error",
        "datapackage.json cannot be read: {detail}",
        "Fix the file so that it is UTF-8 JSON holding one object.",
    ),
    entry(
        "descriptor-invalid",
        "descriptor",
        "error",
        "{detail}",
        "Make datapackage.json a valid Data Package (see docs/frictionless.md).",
        ("package-error", "resource-error", "schema-error", "field-error", "dialect-error"),
    ),
    entry(
        "unsafe-path",
        "descriptor",
        "error",
        "path {value!r} is not safe: {detail}",
        "Use a relative path inside the package folder, with forward slashes.",
    ),
    entry(
        "remote-reference",
        "descriptor",
        "error",
        "{detail} {value!r} is remote; bilat never fetches it",
        "Ship the file inside the package and refer to it by a relative path.",
    ),
    entry(
        "resource-missing",
        "descriptor",
        "error",
        "file {value!r} does not exist",
        "Add the file, or fix the resource's path.",
        ("scheme-error",),
    ),
    entry(
        "not-a-regular-file",
        "descriptor",
        "error",
        "{value!r} is not a regular file: {detail}",
        "Point the resource at a regular file inside the package (no links, devices or folders).",
    ),
    entry(
        "unknown-resource",
        "descriptor",
        "info",
        "resource {value!r} is not a bilat record table: it is checked against its own "
        "Table Schema and dialect, not against the bilat models",
        "Nothing to do if the table is yours; in a bilat package, name it after a record "
        "type to have it checked as one (docs/frictionless.md says which packages are "
        "bilat packages).",
    ),
    entry(
        "duplicate-resource",
        "descriptor",
        "error",
        "resource name {value!r} is used twice",
        "Give each resource a unique name.",
    ),
    entry(
        "schema-stale",
        "descriptor",
        "error",
        "the resource's descriptor is not the one bilat generates ({detail}): run "
        "`bilat fmt` to rewrite it; its rows are checked against the generated Table Schema",
        "Run `bilat fmt` to rewrite datapackage.json with the generated descriptors.",
    ),
    entry(
        "schema-version-unknown",
        "descriptor",
        "error",
        "the package's bilat schema version cannot be used: {detail}; its rows are "
        "checked against the newest schemas this bilat has",
        'Declare a version this bilat knows, as "bilat": {"schemaVersion": "N"} '
        "(bilat's --version option lists them), or upgrade bilat.",
    ),
    entry(
        "schema-outdated",
        "descriptor",
        "warning",
        "the package is written for bilat schema version {value}; version {detail} "
        "exists: run `bilat fmt --upgrade` to move it",
        "Run `bilat fmt --upgrade` to rewrite the package for the newest schema version "
        "(new columns are added empty), or leave it: it is validated against its own.",
    ),
    entry(
        "dialect-not-pinned",
        "descriptor",
        "warning",
        "{detail}",
        'Declare the dialect: {"delimiter": ",", "quoteChar": "\\"", "doubleQuote": true, '
        '"skipInitialSpace": false}, so no tool has to guess.',
    ),
    entry(
        "dialect-ambiguous",
        "descriptor",
        "error",
        "{detail}",
        "Declare the dialect property, so Frictionless reads the file as bilat does.",
    ),
    entry(
        "dialect-unsupported",
        "descriptor",
        "error",
        "{detail}",
        "Remove the dialect property, or rewrite the file without it.",
    ),
    entry(
        "unsupported-format",
        "descriptor",
        "error",
        "{detail}",
        "Use CSV (format csv, optionally .csv.gz) or JSON (format json) resources.",
        ("format-error",),
    ),
)
