"""The four recipes of docs/architecture.md, followed through the public registries:
a toy record type (with a record rule), a finding code, a rule across records and an
engine are registered, a package holding the new records is written, and validating
it gives the new findings, with their rule names, under the row engine and the new
engine alike.

The recipes run in a fresh interpreter: registering changes the process's catalogue
and record types, which the other tests hold equal to bilat's own."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

RECIPES = r'''
import io, json, sys
from pathlib import Path
from typing import Annotated, ClassVar

# -- 1. a record type (and a record rule, with its name) ---------------------------
from bilat.models import Source, SourcedRecord, State, register
from bilat.models.base import RecordRule, rule
from bilat.models.types import RecordId, RefTo
from bilat.schemas import register_resource


class Gift(SourcedRecord):
    """A state gift from one state to another."""

    KIND: ClassVar[str] = "gift"
    RULES: ClassVar[tuple[RecordRule, ...]] = (
        rule(("giver", "receiver"), lambda g, r: g == r, "a gift goes to another state",
             "receiver", name="gift-to-another"),
    )
    giver: Annotated[RecordId, RefTo("state")]
    """The state that gives."""
    receiver: Annotated[RecordId, RefTo("state")]
    """The state that receives."""
    value: int | None = None
    """Its value in US dollars, when a source states it."""


register(Gift)
register_resource("gift", "gifts")

# -- 2. a finding code ---------------------------------------------------------------
from bilat.findings import Code
from bilat.findings import register as register_code

register_code(Code("gift-unvalued", "rules", "info", "gift {value!r} has no value",
                   "Give the value when a source states it."))

# -- 3. a rule across records --------------------------------------------------------
from bilat.validation import rules
from bilat.validation.records import INVALID


def see_gift(r, plan, row, v, valid, key):
    if (valid or v["value"] is not INVALID) and v["value"] is None:
        r.emit(plan.finding("gift-unvalued", rule="gifts-valued", row=row, field="value",
                            value=v["id"]))


rules.register(rules.CrossRule("gifts-valued", "gift", ("id", "value"), ("gift-unvalued",),
                               see_gift))

# -- 4. an engine --------------------------------------------------------------------
from bilat.validation import engines
from bilat.validation.structure import FastPath

USED = []


class Lines:
    def __init__(self, stream, max_row, tick):
        self.text = io.TextIOWrapper(stream, encoding="utf-8", errors="bilat.mark", newline="")
        self.lineno = self.fast_rows = 0

    def readline(self, limit, mid_record=False):
        line = self.text.readline(limit)
        self.lineno += bool(line)
        return line

    def enable(self, fast, next_line, unread):
        raise AssertionError("no block is offered")

    def close(self):
        self.text.detach()


def lines(ctx):
    USED.append(ctx.plan.name)
    return FastPath(Lines, lambda header: None)


engines.register(engines.Engine("lines", lambda: True, fast_path=lines))

# -- a package with the new records, validated ---------------------------------------
from bilat.package import write_package
from bilat.validation import validate

src = Source(id="src-1", type="news_article", title="A report of the gifts", citation="A report")
states = [State(id=i, name=n, iso3=i.upper(), sources=["src-1"]) for i, n in
          (("ind", "India"), ("rus", "Russia"))]
gifts = [
    Gift(id="gift-1", giver="ind", receiver="rus", value=1000, sources=["src-1"]),
    Gift(id="gift-2", giver="rus", receiver="ind", sources=["src-1"]),
]
folder = Path(sys.argv[1])
write_package(folder, [src, *states, *gifts], name="gifts", title="Gifts", version="1.0.0")
csv = folder / "gifts.csv"
text = csv.read_text()
csv.write_text(text + text.splitlines()[1].replace("gift-1", "gift-3").replace("rus", "ind") + "\n")
out = {}
for engine in ("rows", "lines"):
    report = validate(folder, engine=engine, max_per_code=None)
    out[engine] = [f.to_dict() for f in report.findings]
out["used"] = USED
print(json.dumps(out))
'''


def test_the_four_recipes(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-c", RECIPES, str(tmp_path / "gifts")],
        capture_output=True,
        text=True,
        env={"PYTHONPATH": str(ROOT), "PATH": "/usr/bin:/bin", "BILAT_CACHE_DIR": str(tmp_path)},
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout.strip().splitlines()[-1])
    found = {(f["code"], f["resource"], f["row"], f["field"], f["rule"]) for f in out["rows"]}
    assert found == {
        ("gift-unvalued", "gifts", 3, "value", "gifts-valued"),
        ("record-invalid", "gifts", 4, "receiver", "gift-to-another"),
    }
    assert out["lines"] == out["rows"]
    assert "gifts" in out["used"]  # the engine read the new table
