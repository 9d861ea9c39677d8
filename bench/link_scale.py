"""Peak memory of ``bilat link`` on an ICEWS-like events package of N events, and
(with ``--compare``) its output against another checkout of bilat, byte for byte.

    python bench/link_scale.py 200000
    python bench/link_scale.py 50000 --compare /work/main
    python bench/link_scale.py 200000 --validate --keep /tmp/link-scale

Writes a curated package (10 states, 5 persons with tenures, 300 engagements held,
planned and undated, 100 statements, 20 motions with 10 votes each), generates an
ICEWS-shaped file of N rows (seeded random dates over 2015-2018, sides that are
states, persons or raw "Government (X)" actors, meeting, visit, call, intent,
statement, vote-like and other CAMEO codes), imports it with ``bilat import icews``
(``--actors`` a package of the persons only, so that states are the import's own
and persons the curated ones'), and runs ``bilat link EVENTS CURATED`` in a child
process, reporting its wall time and its own peak resident memory (VmHWM). With
``--validate``, ``bilat validate`` of the events package with each engine too.

With ``--compare DIR``, runs the same steps with this checkout's bilat and with the
one in DIR, each on a fresh copy of the events package at the same path: a first
run, a run that accepts and rejects links, a stricter run (``--min-score 0.6``), and
an invalid events package; the exit code, standard output, standard error and every
file of the folder must be identical. Run by hand; never timed in the test suite.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent.parent

HEADER = (
    "Event ID\tEvent Date\tSource Name\tSource Sectors\tSource Country\tEvent Text\t"
    "CAMEO Code\tIntensity\tTarget Name\tTarget Sectors\tTarget Country\tStory ID\t"
    "Sentence Number\tPublisher\tCity\tDistrict\tProvince\tCountry\tLatitude\tLongitude\n"
)
#: id, ISO3, the name ICEWS gives the country, the state's name
COUNTRIES = [
    ("ind", "IND", "India", "India"),
    ("rus", "RUS", "Russian Federation", "Russia"),
    ("chn", "CHN", "China", "China"),
    ("usa", "USA", "United States", "United States"),
    ("jpn", "JPN", "Japan", "Japan"),
    ("deu", "DEU", "Germany", "Germany"),
    ("fra", "FRA", "France", "France"),
    ("bra", "BRA", "Brazil", "Brazil"),
    ("ukr", "UKR", "Ukraine", "Ukraine"),
    ("kor", "KOR", "South Korea", "South Korea"),
]
#: id, name, index of their state in COUNTRIES
PERSONS = [
    ("modi", "Narendra Modi", 0),
    ("putin", "Vladimir Putin", 1),
    ("xi", "Xi Jinping", 2),
    ("abe", "Shinzo Abe", 4),
    ("macron", "Emmanuel Macron", 6),
]
#: event text, CAMEO code, intensity
EVENTS = [
    ("Consult", "040", "1"),
    ("Discuss by telephone", "041", "1"),
    ("Make a visit", "042", "1.9"),
    ("Host a visit", "043", "2.8"),
    ("Engage in negotiation", "046", "3.5"),
    ("Express intent to meet or negotiate", "036", "4"),
    ("Make statement", "010", "0"),
    ("Make optimistic comment", "012", "0.4"),
    ("Express accord", "019", "3.4"),
    ("Engage in diplomatic cooperation", "050", "3.5"),
    ("Criticize or denounce", "111", "-2"),
    ("Reject", "120", "-4"),
    ("Provide economic aid", "071", "7.4"),
]
TYPES = ["meeting", "official_visit", "phone_call", "summit", "negotiation", "state_visit"]
START = 16436  # 2015-01-01 as days since 1970-01-01
DAYS = 1461  # to 2018-12-31


def day(n: int) -> str:
    import datetime as dt

    return (dt.date(1970, 1, 1) + dt.timedelta(days=n)).isoformat()


def curated(folder: Path, actors: Path, seed: int) -> None:
    """The curated package, and a package of its persons alone (``--actors``)."""
    from bilat.models import (
        Engagement,
        Motion,
        Organization,
        Person,
        Source,
        State,
        Statement,
        Tenure,
        Vote,
    )
    from bilat.package import write_package

    rng = random.Random(seed)
    src = Source(id="src", type="dataset", title="Generated", url="https://example.org/bench")
    states = [State(id=i, name=n, iso3=c, sources=["src"]) for i, c, _, n in COUNTRIES]
    persons = [Person(id=p, name=n, sources=["src"]) for p, n, _ in PERSONS]
    tenures = [
        Tenure(
            id=f"{p}-hog",
            person=p,
            office=f"Head of government ({COUNTRIES[s][3]})",
            role="head_of_government",
            of=COUNTRIES[s][0],
            start="2010",
            sources=["src"],
        )
        for p, _, s in PERSONS
    ]
    records: list[object] = [src, *states, *persons, *tenures]
    ids = [c[0] for c in COUNTRIES]
    for i in range(300):
        a, b = rng.sample(ids, 2)
        if rng.random() < 0.3:  # a person for one side
            p, _, s = rng.choice(PERSONS)
            a = p if COUNTRIES[s][0] != b else a
        status = rng.choice(["held"] * 6 + ["planned", "proposed", "cancelled"])
        start = START + rng.randrange(DAYS)
        undated = status != "held" and rng.random() < 0.1
        long = rng.random() < 0.2
        records.append(
            Engagement(
                id=f"eng-{i}",
                type=rng.choice(TYPES),
                status=status,
                title=f"Engagement {i}",
                start=None if undated else day(start),
                end=day(start + rng.randrange(2, 40)) if long and not undated else None,
                participants=[a, b],
                country=rng.choice([None, b]),
                sources=["src"],
            )
        )
    for i in range(100):
        p, _, _s = rng.choice(PERSONS)
        others = [x for x in ids if x != COUNTRIES[_s][0]]
        records.append(
            Statement(
                id=f"said-{i}",
                speaker=p,
                text=f"Statement {i}.",
                date=day(START + rng.randrange(DAYS)),
                addressees=rng.sample(others, rng.choice([0, 1, 2])),
                sources=["src"],
            )
        )
    records.append(
        Organization(
            id="unga",
            name="UN General Assembly",
            type="international_organization",
            sources=["src"],
        )
    )
    for m in range(20):
        records.append(
            Motion(
                id=f"motion-{m}",
                body="unga",
                title=f"Motion {m}",
                date=day(START + rng.randrange(DAYS)),
                sources=["src"],
            )
        )
        for v in ids:
            option = rng.choice(["yes", "no", "abstain"])
            records.append(
                Vote(
                    id=f"vote-{m}-{v}",
                    motion=f"motion-{m}",
                    voter=v,
                    option=option,
                    sources=["src"],
                )
            )
    write_package(folder, records, name="curated", title="Generated", version="0.1.0")  # type: ignore[arg-type]
    write_package(actors, [src, *persons], name="actors", title="Persons", version="0.1.0")


def generate(path: Path, n: int, seed: int) -> None:
    """Write *n* ICEWS-shaped rows, ids unique, in no particular order."""
    rng = random.Random(seed)
    ids = list(range(n))
    rng.shuffle(ids)
    with path.open("w", encoding="utf-8", newline="") as f:
        f.write(HEADER)
        lines = []
        for i in ids:
            a, b = rng.sample(range(len(COUNTRIES)), 2)
            sides = []
            for c in (a, b):
                country = COUNTRIES[c][2]
                r = rng.random()
                persons = [p for p in PERSONS if p[2] == c]
                if r < 0.15 and persons:
                    sides.append((persons[0][1], "Executive,Government", country))
                elif r < 0.5:
                    sides.append((f"Government ({COUNTRIES[c][3]})", "Government", country))
                else:
                    sides.append((COUNTRIES[c][3], "NA", country))
            text, code, intensity = rng.choice(EVENTS)
            place = rng.choice([COUNTRIES[a][2], COUNTRIES[b][2], "NA"])
            (na, sa, ca), (nb, sb, cb) = sides
            lines.append(
                f"{10_000_000 + i}\t{day(START + rng.randrange(DAYS))}\t{na}\t{sa}\t{ca}\t"
                f"{text}\t{code}\t{intensity}\t{nb}\t{sb}\t{cb}\t{40_000_000 + i // 3}\t"
                f"{1 + i % 9}\tGenerated Publisher\tNA\tNA\tNA\t{place}\tNA\tNA\n"
            )
            if len(lines) == 10_000:
                f.write("".join(lines))
                lines = []
        f.write("".join(lines))


#: Runs the CLI with the arguments given, then writes the process's own peak
#: resident memory (VmHWM, in KiB) to standard error. VmHWM, not ru_maxrss: Linux
#: folds the parent's peak at fork into a child's ru_maxrss.
CHILD = """
import re, sys
sys.argv = ["bilat", *sys.argv[1:]]
from bilat.cli import main
try:
    main()
finally:
    status = open("/proc/self/status").read()
    sys.stderr.write("VmHWM " + re.search(r"VmHWM:\\s*(\\d+)", status).group(1) + "\\n")
"""


def bilat(code: Path, args: list[str], cwd: Path) -> tuple[int, str, str, float, float]:
    """``bilat ARGS`` with the bilat in *code*, run in *cwd*: exit code, standard output,
    standard error (without the VmHWM line), wall seconds, peak MiB."""
    env = {**os.environ, "PYTHONPATH": str(code)}
    t = time.perf_counter()
    done = subprocess.run(
        [sys.executable, "-c", CHILD, *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=cwd,
        check=False,
    )
    wall = time.perf_counter() - t
    lines = done.stderr.splitlines(keepends=True)
    peak = int(lines.pop().split()[1]) / 1024 if lines and lines[-1].startswith("VmHWM") else 0.0
    return done.returncode, done.stdout, "".join(lines), wall, peak


def files(folder: Path) -> dict[str, str]:
    """Each file of *folder* and the SHA-256 of its bytes."""
    return {
        str(p.relative_to(folder)): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


Outcome = tuple[int, str, str, dict[str, str]]


def steps(
    work: Path, events: Path, code: Path, first_only: bool
) -> tuple[list[tuple[str, Outcome]], float, float]:
    """The compared steps with the bilat in *code*, each on a fresh copy of *events*
    at ``work/run/events``: what each gave (exit code, output, the folder's files),
    and the first run's wall seconds and peak MiB."""
    run = work / "run"
    target = run / "events"
    out: list[tuple[str, Outcome]] = []
    first: list[float] = []

    def fresh() -> None:
        if run.exists():
            shutil.rmtree(run)
        run.mkdir()
        shutil.copytree(events, target)

    def step(name: str, args: list[str]) -> None:
        rc, so, se, wall, peak = bilat(code, ["link", "events", "../curated", *args], run)
        print(f"  {name}: exit {rc}, {wall:.1f} s, {peak:.0f} MiB: {(so or se).strip()[:150]!r}")
        out.append((name, (rc, so, se, files(target))))
        first.extend([wall, peak])

    fresh()
    step("first run", ["--by", "bench"])
    if first_only:
        return out, first[0], first[1]
    ids = [line.split(",", 1)[0] for line in (target / "links.csv").read_text().splitlines()[1:]]
    step("accept and reject", ["--accept", ids[0], "--reject", ids[-1], "--by", "bench"])
    step("stricter", ["--min-score", "0.6", "--by", "bench"])
    fresh()
    table = target / "states.csv"  # CSV whatever the events' layout
    width = table.open(encoding="utf-8").readline().count(",")
    with table.open("a", encoding="utf-8") as f:
        f.write("not an id" + "," * width + "\n")  # a bad id, no name: errors
    step("invalid events package", ["--by", "bench"])
    return out, first[0], first[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("events", type=int, help="how many events")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="work in this folder and keep the files")
    parser.add_argument("--compare", type=Path, help="another checkout of bilat to compare")
    parser.add_argument("--validate", action="store_true", help="measure bilat validate too")
    parser.add_argument("--parquet", action="store_true", help="import as Parquet parts")
    parser.add_argument("--first", action="store_true", help="only the first run of bilat link")
    args = parser.parse_args()
    work = args.keep or Path(tempfile.mkdtemp(prefix="bilat-link-scale-"))
    work.mkdir(parents=True, exist_ok=True)
    sys.path.insert(0, str(HERE))
    events = work / f"events-{args.events}"
    if not events.exists():
        curated(work / "curated", work / "actors", args.seed)
        tab = work / f"icews-{args.events}.tab"
        generate(tab, args.events, args.seed)
        force = ["--parquet"] if args.parquet else ["--csv"]
        cmd = ["import", "icews", str(tab), "--out", str(events), "--actors", "actors", *force]
        rc, _so, se, wall, peak = bilat(HERE, cmd, work)
        if rc != 0:
            raise SystemExit(f"import failed: {se}")
        tab.unlink()
        print(f"imported {args.events:,} events in {wall:.1f} s ({peak:.0f} MiB)")
    result: dict[str, object] = {"events": args.events}
    if args.validate:
        for engine in ("rows", "columnar", "sql"):
            rc, _so, _se, wall, peak = bilat(
                HERE, ["validate", "--engine", engine, str(events)], work
            )
            result[f"validate_{engine}"] = {"exit": rc, "s": round(wall, 1), "MiB": round(peak)}
    print(f"bilat link with {HERE}:")
    mine, wall, peak = steps(work, events, HERE, args.first)
    result["link"] = {"s": round(wall, 1), "MiB": round(peak)}
    if args.compare:
        print(f"bilat link with {args.compare}:")
        theirs, wall, peak = steps(work, events, args.compare.resolve(), args.first)
        result["link_compared"] = {"s": round(wall, 1), "MiB": round(peak)}
        same = [a == b for (_, a), (_, b) in zip(mine, theirs, strict=True)]
        result["identical"] = dict(zip([n for n, _ in mine], same, strict=True))
        for (name, a), (_, b) in zip(mine, theirs, strict=True):
            if a != b:
                print(f"DIFFERENT: {name}:\n  {a!r:.2000}\n  {b!r:.2000}")
    print(json.dumps(result))
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
