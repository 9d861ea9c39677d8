"""`bilat fmt` reads a table in bounded memory: each record's canonical line goes to an
external merge sort on disk as it is read, rather than every record being kept as a
model (about 6 KB a coded event: 2.2 GB for 320,000 ICEWS rows)."""

from __future__ import annotations

import os
import random
import subprocess
import sys
from pathlib import Path

import bilat
from bilat import Source
from bilat.models import RECORD_TYPES
from bilat.package import write_package

ROWS = 30_000


def _events(folder: Path, rows: int) -> bytes:
    """A package of one source and *rows* ICEWS-shaped coded events, written in a
    shuffled order; returns the table's canonical bytes (sorted by id)."""
    event = RECORD_TYPES["coded_event"](
        id="e0000000",
        sources=["s"],
        dataset="icews",
        native_id="0",
        date="2018-06-01",
        event_text="Consult",
        actor_name="Foreign Affairs (Bangladesh)",
        actor_country="Bangladesh",
        actor_sectors=["Executive", "Foreign Ministry", "Government"],
        recipient_name="High Ranking Military Personnel (Vietnam)",
        recipient_country="Vietnam",
        recipient_sectors=["Military", "Government"],
        cameo="040",
        intensity=1.0,
        place_country="VNM",
        place_name="Hanoi",
        latitude=21.0245,
        longitude=105.841,
        story="47400351",
        sentence=2,
        publisher="Vietnam News Agency Bulletin",
    )
    source = Source(id="s", type="dataset", title="Events", citation="ICEWS")
    write_package(folder, [source, event], name="p", title="P", version="1.0.0")
    table = folder / "coded_events.csv"
    header, first = table.read_text(encoding="utf-8").splitlines()
    before, after = first.split(",icews,0,", 1)
    cells = before.split(",", 1)[1]
    lines = [f"e{i:07d},{cells},icews,{i},{after}\n" for i in range(rows)]
    canonical = (header + "\n" + "".join(lines)).encode("utf-8")
    random.Random(5).shuffle(lines)
    table.write_text(header + "\n" + "".join(lines), encoding="utf-8")
    return canonical


def test_fmt_sorts_a_large_table_in_bounded_memory(tmp_path: Path) -> None:
    """30,000 coded events in no order: fmt finds the table to reformat and writes it
    sorted, its process peaking well under what keeping the records took (about
    215 MB before; about 60 MB now, most of it Python and pydantic)."""
    folder = tmp_path / "events"
    canonical = _events(folder, ROWS)
    # the peak of the child's own memory (VmHWM: ru_maxrss would count this one's),
    # the child importing the bilat this test does
    here = str(Path(bilat.__file__).parents[1])
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([here, os.environ.get("PYTHONPATH", "")])}
    script = (
        "import re, sys\n"
        "from pathlib import Path\n"
        "from bilat.fmt import plan\n"
        "result = plan(sys.argv[1])\n"
        "status = Path('/proc/self/status').read_text()\n"
        "peak = re.search(r'VmHWM:\\s*(\\d+)', status).group(1)\n"
        "print(*result.problems, *sorted(p.name for p in result.changes))\n"
        "result.write()\n"
        "print(peak)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, str(folder)],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    changed, peak_kib = done.stdout.splitlines()
    assert changed == "coded_events.csv"
    assert (folder / "coded_events.csv").read_bytes() == canonical
    assert int(peak_kib) < 150 << 10, peak_kib
