"""Resolving the actors of imported rows to bilat actors: only where it is certain.

A side of an event (actor or recipient) resolves, in this order:

1. by Wikidata id, to the actor of the ``--actors`` package with that id;
2. by exact name or declared alias (case-folded), to the one actor of the ``--actors``
   package that bears it;
3. to a State, when the side *is* its country: its country resolves to an ISO 3166
   alpha-3 code (a code, an exact ISO 3166 or COW name, or a COW code by date), the
   side has no sectors, and its name is exactly one of that country's names ("Russia"
   with country "Russian Federation": both name RUS). The State is the ``--actors``
   package's State with that code where there is one, else a State record the import
   writes, named from ISO 3166.

Everything else stays raw (the name, country and sectors are always kept) and is
counted.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from bilat.importers import reference


@dataclass
class Curated:
    """The actors of a curated package, indexed for exact matches."""

    records: dict[str, Any]
    by_iso3: dict[str, str]
    by_wikidata: dict[str, str]
    by_name: dict[str, str]

    @classmethod
    def load(cls, package: Any) -> Curated:
        records = {r.id: r for r in package.by_id.values()}
        by_iso3: dict[str, str] = {}
        wikidata: dict[str, set[str]] = {}
        names: dict[str, set[str]] = {}
        for kind in ("state", "person", "organization"):
            for r in package.records(kind):
                if kind == "state":
                    by_iso3[r.iso3] = r.id
                if r.wikidata:
                    wikidata.setdefault(r.wikidata, set()).add(r.id)
                for n in (r.name, *r.aliases):
                    names.setdefault(" ".join(n.split()).casefold(), set()).add(r.id)
        return cls(
            records=records,
            by_iso3=by_iso3,
            by_wikidata={k: next(iter(v)) for k, v in wikidata.items() if len(v) == 1},
            by_name={k: next(iter(v)) for k, v in names.items() if len(v) == 1},
        )


@dataclass
class Resolver:
    """Resolves event sides; remembers which States to write and counts every side."""

    curated: Curated | None = None
    #: ISO codes of the States the import writes itself
    states: set[str] = field(default_factory=set)
    #: ids of --actors records the import used
    used: set[str] = field(default_factory=set)
    counts: Counter[str] = field(default_factory=Counter)

    def state(self, iso3: str) -> str:
        """The id of the State with *iso3*: the curated one, else one the import writes."""
        if self.curated is not None and iso3 in self.curated.by_iso3:
            rid = self.curated.by_iso3[iso3]
            self.used.add(rid)
            return rid
        self.states.add(iso3)
        return iso3.lower()

    def side(
        self,
        name: str | None,
        iso3: str | None,
        sectors: list[str],
        wikidata: str | None = None,
        *,
        is_state: bool | None = None,
    ) -> str | None:
        """The bilat id of one side of an event, or None (raw). *is_state* overrides
        the name test where the data set says outright that the side is its country
        (a GDELT actor code equal to its country code)."""
        if name is None and wikidata is None:
            return None
        rid = self._resolve(name, iso3, sectors, wikidata, is_state)
        self.counts["resolved" if rid else "raw"] += 1
        return rid

    def _resolve(
        self,
        name: str | None,
        iso3: str | None,
        sectors: list[str],
        wikidata: str | None,
        is_state: bool | None,
    ) -> str | None:
        cur = self.curated
        if cur is not None and wikidata and wikidata in cur.by_wikidata:
            self.counts["by_wikidata"] += 1
            rid = cur.by_wikidata[wikidata]
            self.used.add(rid)
            return rid
        if cur is not None and name:
            named = cur.by_name.get(" ".join(name.split()).casefold())
            if named is not None:
                self.counts["by_name"] += 1
                self.used.add(named)
                return named
        if iso3 is None:
            return None
        if is_state is None:
            is_state = (
                not sectors
                and name is not None
                and " ".join(name.split()).casefold() in reference.names_of(iso3)
            )
        if is_state:
            self.counts["by_country"] += 1
            return self.state(iso3)
        return None


__all__ = ["Curated", "Resolver"]
