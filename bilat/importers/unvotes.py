"""UN General Assembly roll calls: Motions and Votes from the unvotes tables.

Reads the two CSV tables of the ``unvotes`` data (Voeten's UN General Assembly
voting data as published by the R package unvotes and TidyTuesday):

- ``roll_calls.csv``: ``rcid, session, importantvote, date, unres, amend, para,
  short, descr``, one row per roll call: a :class:`~bilat.models.Motion` of the UN
  General Assembly;
- ``unvotes.csv``: ``rcid, country, country_code, vote``, one row per member and roll
  call: a :class:`~bilat.models.Vote`. A file may also carry Voeten's ``ccode``
  (a Correlates of War code), resolved by date first.

Votes ``yes``, ``no`` and ``abstain`` map to the vote options of those names;
``absent`` to ``not_voting``. A state that was not a member gets no Vote and is
counted as skipped. Voeten's numeric codes are read too: 1 yes, 2 abstain, 3 no,
8 absent, 9 not a member.
"""

from __future__ import annotations

import csv
import io
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

from bilat.files import FileProblem, open_regular
from bilat.importers import reference
from bilat.importers.actors import Resolver
from bilat.importers.formats import Reject, checked_date, one_line, shown
from bilat.importers.output import csv_line
from bilat.importers.pipeline import (
    REJECTED_FILE,
    Counts,
    ImportProblem,
    ImportResult,
    Rejected,
    Rejection,
    add_states,
    appended_rows,
    begin,
    curated_records,
    file_source,
    finish_import,
    read_small,
    validation_reason,
    write_small,
)
from bilat.models.dates import PartialDate

VOTES = {
    "yes": "yes",
    "1": "yes",
    "abstain": "abstain",
    "2": "abstain",
    "no": "no",
    "3": "no",
    "absent": "not_voting",
    "8": "not_voting",
}
NOT_MEMBER = {"not a member", "not_member", "nonmember", "9"}

ROLL_CALL_COLUMNS = (
    "rcid",
    "session",
    "importantvote",
    "date",
    "unres",
    "amend",
    "para",
    "short",
    "descr",
)
VOTE_COLUMNS = ("rcid", "country", "country_code", "vote")

CITATION = (
    'Erik Voeten, "Data and Analyses of Voting in the UN General Assembly", Routledge '
    "Handbook of International Organization, edited by Bob Reinalda (2013), "
    "https://ssrn.com/abstract=2111149; data: Harvard Dataverse, hdl:1902.1/12379; "
    "tables as published by the R package unvotes (Robinson, Çetinkaya-Rundel and "
    "Goguen-Compagnoni) and TidyTuesday 2021-03-23"
)
UNGA = {
    "id": "unga",
    "kind": "organization",
    "name": "United Nations General Assembly",
    "type": "international_organization",
}


def _rows(path: Path) -> tuple[list[str], Any]:
    raw = open_regular(path)
    text = io.TextIOWrapper(raw, encoding="utf-8", errors="surrogateescape", newline="")
    reader = csv.reader(text)
    try:
        head = [h.strip().lstrip("\ufeff") for h in next(reader)]
    except StopIteration:
        text.close()
        raise ImportProblem(f"{path}: the file is empty") from None
    return head, (text, reader)


def import_unvotes(
    files: list[Path], out: Path, *, append: bool = False, actors: Path | None = None
) -> ImportResult:
    """Import unvotes tables (a roll-call table and a vote table) into *out*: motions
    and votes, each table sorted by id as ``bilat fmt`` wants it."""
    existing, work, finished = begin(out, append, "vote")
    try:
        resolver = Resolver(curated=curated_records(actors))
        roll_files, vote_files = _tables(files)
        sources: dict[str, dict[str, Any]] = {}
        src_of: dict[Path, str] = {}
        for path in files:
            s = file_source(path, "unvotes", "UN General Assembly roll calls (unvotes)", CITATION)
            sources[s["id"]] = s
            src_of[path] = s["id"]
        rejected = Rejected(work / REJECTED_FILE)
        counts: dict[str, Counts] = {}
        skipped: Counter[str] = Counter()
        try:
            motions = _read_motions(roll_files, existing, src_of, counts, rejected)
            dates = {m["id"]: str(m.get("date", "")) for m in motions.values()}
            _write_votes(
                work, vote_files, existing, src_of, dates, resolver, counts, skipped, rejected
            )
        finally:
            rejected.close()
        extra = _others(existing, sources, resolver, motions)
        write_small(work / "motions.csv", "motion", motions.values())
        result = ImportResult.of("unvotes", out, counts, resolver.counts, rejected, skipped)
        extra["motion"] = {}  # written above
        _finish_votes(work, out, extra, result, existing, rejected.count)
        return result
    finally:
        finished()


def _tables(files: list[Path]) -> tuple[list[Path], list[Path]]:
    """The roll-call tables and the vote tables among *files*, told apart by header."""
    roll_files: list[Path] = []
    vote_files: list[Path] = []
    for path in files:
        try:
            head, (text, _) = _rows(path)
        except FileProblem as exc:
            raise ImportProblem(f"{path}: cannot read it: {exc}") from None
        text.close()
        if {"rcid", "vote"} <= set(head) and ("country_code" in head or "ccode" in head):
            vote_files.append(path)
        elif {"rcid", "date", "short"} <= set(head):
            roll_files.append(path)
        else:
            raise ImportProblem(
                f"{path}: neither a roll-call table (rcid, date, short, ...) nor a vote "
                "table (rcid, country, country_code, vote)"
            )
    if not roll_files or not vote_files:
        raise ImportProblem(
            "unvotes needs a roll-call table (roll_calls.csv) and a vote table (unvotes.csv)"
        )
    return roll_files, vote_files


def _read_motions(
    roll_files: list[Path],
    existing: Path | None,
    src_of: dict[Path, str],
    counts: dict[str, Counts],
    rejected: Rejected,
) -> dict[str, dict[str, Any]]:
    """The motions of the package appended to and of *roll_files*, by id (a roll call
    read again is counted as merged)."""
    from bilat.models import Motion

    validate_motion = Motion.__pydantic_validator__.validate_python
    motions = read_small(existing, "motion")
    for path in roll_files:
        c = counts.setdefault(path.name, Counts())
        head, (text, reader) = _rows(path)
        with text:
            for cells in reader:
                c.read += 1
                line = reader.line_num
                try:
                    f = _motion(head, cells, src_of[path])
                    try:
                        validate_motion(f)
                    except Exception as exc:
                        reason, fld = validation_reason(exc)
                        raise Reject(reason, fld) from None
                except Reject as r:
                    c.rejected += 1
                    rejected.add(Rejection(path.name, line, r.reason, r.field))
                    continue
                if f["id"] in motions:
                    c.merged += 1
                    continue
                motions[f["id"]] = f
                c.imported += 1
    return motions


def _write_votes(
    work: Path,
    vote_files: list[Path],
    existing: Path | None,
    src_of: dict[Path, str],
    dates: dict[str, str],
    resolver: Resolver,
    counts: dict[str, Counts],
    skipped: Counter[str],
    rejected: Rejected,
) -> None:
    """votes.csv in *work*: the votes of the package appended to and of *vote_files*,
    sorted by id (a vote read again is counted as merged)."""
    from bilat.importers.output import LineMaker, SortedRows, write_csv
    from bilat.models import Vote
    from bilat.tables import columns as table_columns

    validate_vote = Vote.__pydantic_validator__.validate_python
    vote_cols = [col.name for col in table_columns("vote")]
    sorter = SortedRows(work / ".sort")
    make_line = LineMaker()
    seen: set[str] = set()
    if existing is not None and (existing / "votes.csv").exists():
        for cells in appended_rows(existing, "csv", ["votes.csv"], vote_cols):
            sorter.add(cells[0], len(seen), make_line(cells))
            seen.add(cells[0])
    for path in vote_files:
        c = counts.setdefault(path.name, Counts())
        head, (text, reader) = _rows(path)
        with text:
            for cells in reader:
                c.read += 1
                line = reader.line_num
                try:
                    voted = _vote(head, cells, src_of[path], dates, resolver)
                    if voted is None:
                        c.skipped += 1
                        skipped["not a member"] += 1
                        continue
                    try:
                        validate_vote(voted)
                    except Exception as exc:
                        reason, fld = validation_reason(exc)
                        raise Reject(reason, fld) from None
                except Reject as r:
                    c.rejected += 1
                    rejected.add(Rejection(path.name, line, r.reason, r.field))
                    continue
                if voted["id"] in seen:
                    c.merged += 1
                    continue
                seen.add(voted["id"])
                sorter.add(
                    voted["id"], len(seen), make_line([_cell(voted.get(n)) for n in vote_cols])
                )
                c.imported += 1
    write_csv(work / "votes.csv", csv_line(vote_cols), (line for _, _, line in sorter.ordered()))
    shutil.rmtree(sorter.folder, ignore_errors=True)


def _others(
    existing: Path | None,
    sources: dict[str, dict[str, Any]],
    resolver: Resolver,
    motions: dict[str, dict[str, Any]],
) -> dict[str, dict[str, dict[str, Any]]]:
    """Sources, States, the General Assembly and curated actors to write beside the
    motions and votes, by kind and id; the motions get the curated Assembly's id."""
    extra: dict[str, dict[str, dict[str, Any]]] = {
        k: read_small(existing, k) for k in ("source", "state", "person", "organization")
    }
    for sid, s in sources.items():
        extra["source"].setdefault(sid, s)
    unga_id = (
        resolver.curated.by_name.get("united nations general assembly")
        if resolver.curated
        else None
    )
    if unga_id is None:
        extra["organization"].setdefault("unga", {**UNGA, "sources": [next(iter(sources))]})
    add_states(extra, resolver)
    if resolver.curated is not None and resolver.used:
        from bilat.importers.pipeline import curated_closure

        for rec in curated_closure(resolver.curated, resolver.used):
            extra.setdefault(rec.KIND, {})[rec.id] = rec.model_dump(mode="json", exclude_none=True)
    if unga_id is not None:
        for m in motions.values():
            m["body"] = unga_id
    return extra


def _cell(value: Any) -> str:
    from bilat.validation.cells import format_cell

    return format_cell(value)


def _motion(head: list[str], cells: list[str], source: str) -> dict[str, Any]:
    if len(cells) != len(head):
        raise Reject(f"has {len(cells)} cells; the header has {len(head)}")
    r = {h: (c.strip() or None) for h, c in zip(head, cells, strict=True)}
    rcid = r.get("rcid")
    if rcid is None or not rcid.isdigit():
        raise Reject(f"rcid {shown(rcid)} is not a number", "rcid")
    date = checked_date(r["date"], "date") if r.get("date") else None
    title = one_line(r.get("short")) or one_line(r.get("descr"))
    if title is None:
        raise Reject("has neither a short nor a long description", "short")
    notes = [f"Roll call {rcid}"]
    if r.get("session"):
        notes.append(f"session {r['session']}")
    if r.get("unres"):
        notes.append(f"unres {r['unres']}")
    for flag in ("importantvote", "amend", "para"):
        if r.get(flag) == "1":
            notes.append(flag)
    text = "; ".join(notes) + "."
    if r.get("descr"):
        text += f"\n\n{r['descr']}"
    f: dict[str, Any] = {
        "id": f"unvotes-rcid-{rcid}",
        "body": "unga",
        "title": title if len(title) <= 500 else title[:499] + "…",
        "sources": [source],
        "notes": text,
    }
    if date:
        f["date"] = date
    return f


def _vote(
    head: list[str],
    cells: list[str],
    source: str,
    dates: dict[str, str],
    resolver: Resolver,
) -> dict[str, Any] | None:
    if len(cells) != len(head):
        raise Reject(f"has {len(cells)} cells; the header has {len(head)}")
    r = {h: (c.strip() or None) for h, c in zip(head, cells, strict=True)}
    rcid = r.get("rcid") or ""
    if rcid.endswith(".0"):  # read and rewritten as a double somewhere on the way
        rcid = rcid[:-2]
    motion = f"unvotes-rcid-{rcid}"
    if motion not in dates:
        raise Reject(f"rcid {shown(rcid)} has no roll call in the roll-call table", "rcid")
    vote = (r.get("vote") or "").casefold()
    if vote in NOT_MEMBER:
        return None
    option = VOTES.get(vote)
    if option is None:
        raise Reject(
            f"vote {shown(r.get('vote'))} is none of yes, no, abstain, absent, not a member", "vote"
        )
    when = PartialDate(dates[motion]) if dates[motion] else None
    name = one_line(r.get("country"))
    iso3 = None
    ccode = r.get("ccode")
    if ccode and ccode.isdigit() and when is not None:
        iso3 = reference.cow_to_iso3(int(ccode), when)
    code = r.get("country_code")
    if iso3 is None and code and when is not None:
        iso3 = reference.iso2_to_iso3(code, when, name)
    if iso3 is None:
        resolver.counts["raw"] += 1
        raise Reject(
            f"country {shown(name)} (code {shown(code or ccode)}) does not resolve to a state on "
            f"{when}; a Vote needs its voter",
            "country_code",
        )
    resolver.counts["resolved"] += 1
    resolver.counts["by_country"] += 1
    voter = resolver.state(iso3)
    return {
        "id": f"{motion}-{voter}",
        "motion": motion,
        "voter": voter,
        "option": option,
        "sources": [source],
    }


def _finish_votes(
    work: Path,
    out: Path,
    extra: dict[str, dict[str, dict[str, Any]]],
    result: ImportResult,
    existing: Path | None,
    n_rejected: int,
) -> None:
    finish_import(
        work,
        out,
        "vote",
        extra,
        result,
        existing,
        "UN General Assembly roll calls",
        None,
        n_rejected,
        also=("motion",),
    )


__all__ = ["import_unvotes"]
