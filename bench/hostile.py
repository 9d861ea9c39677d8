"""Peak memory and time of bilat on hostile input, each case in its own process.

    python bench/hostile.py            # every case
    python bench/hostile.py --quick    # smaller bombs

Prints, per case: exit code, wall seconds, peak RSS (MB) and output size. The README
states the figures; tests/test_hostile.py holds smaller versions of the same cases
as tests, under an address-space limit (tests/test_parts.py the Parquet one's).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
BASE = ROOT / "tests" / "data" / "valid"


def measure(args: list[str], env: dict[str, str] | None = None) -> dict[str, object]:
    """Run ``bilat ARGS``; return exit code, seconds, peak RSS and output size."""
    start = time.monotonic()
    with tempfile.TemporaryFile() as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "bilat", *args],
            stdout=out,
            stderr=subprocess.DEVNULL,
            env={**os.environ, **(env or {})},
        )
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        size = out.tell()
    return {
        "exit": proc.returncode,
        "seconds": round(time.monotonic() - start, 1),
        "peak_rss_mb": round(usage.ru_maxrss / 1024),
        "output_bytes": size,
    }


def package(tmp: Path, name: str) -> Path:
    pkg = tmp / name
    shutil.copytree(BASE, pkg)
    return pkg


class _Handler(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.send_response(200)
        self.end_headers()
        try:
            if self.path == "/endless":
                while True:
                    self.wfile.write(b" " * 65536)
            for _ in range(3600):
                self.wfile.write(b" ")
                self.wfile.flush()
                time.sleep(2)
        except OSError:
            return


def cases(tmp: Path, quick: bool) -> dict[str, tuple[list[str], dict[str, str] | None]]:
    out: dict[str, tuple[list[str], dict[str, str] | None]] = {}
    (tmp / "zero.zip").symlink_to("/dev/zero")
    out["x.zip linked to /dev/zero"] = (["validate", str(tmp / "zero.zip")], None)
    os.mkfifo(tmp / "fifo.zip")
    out["FIFO named x.zip"] = (["validate", str(tmp / "fifo.zip")], None)
    pkg = tmp / "zero-descriptor"
    pkg.mkdir()
    (pkg / "datapackage.json").symlink_to("/dev/zero")
    out["datapackage.json linked to /dev/zero"] = (["validate", str(pkg)], None)

    rows = 50_000 if quick else 500_000
    pkg = package(tmp, "bad-rows")
    header = (pkg / "engagements.csv").read_text().split("\n")[0]
    bad = 'Bad Id,,"[""src-article""]",tea_party,rumoured,,2023-02-30,,x,,,,,,zero,,\n'
    (pkg / "engagements.csv").write_text(header + "\n" + bad * rows)
    size = (pkg / "engagements.csv").stat().st_size >> 20
    out[f"{rows:,} bad rows ({size} MB CSV), -f json"] = (
        ["validate", "-f", "json", str(pkg)],
        None,
    )

    columns = 100_000 if quick else 1_000_000
    pkg = package(tmp, "wide-header")
    (pkg / "persons.csv").write_text(",".join(f"c{i}" for i in range(columns)) + "\n")
    out[f"header of {columns:,} columns, -f json"] = (["validate", "-f", "json", str(pkg)], None)

    ids = 100_000 if quick else 1_000_000
    pkg = package(tmp, "long-list")
    from bilat.models import RECORD_TYPES  # noqa: F401 - the package must import

    data = json.loads((pkg / "datapackage.json").read_text())
    for res in data["resources"]:
        if res["name"] == "engagements":
            res.clear()
            res.update(
                name="engagements",
                type="json",
                path="engagements.json",
                format="json",
                mediatype="application/json",
                encoding="utf-8",
            )
    (pkg / "datapackage.json").write_text(json.dumps(data))
    records = [
        {
            "id": "e1",
            "sources": ["src-article"],
            "type": "meeting",
            "status": "held",
            "title": "t",
            "start": "2023",
            "participants": [f"u{i}" for i in range(ids)],
        }
    ]
    (pkg / "engagements.json").write_text(json.dumps(records))
    (pkg / "engagements.csv").unlink()
    out[f"a list of {ids:,} unknown ids, -f json"] = (["validate", "-f", "json", str(pkg)], None)

    pkg = package(tmp, "one-line")
    with open(pkg / "persons.csv", "wb") as f:
        for _ in range(20 if quick else 200):
            f.write(b"a" * (1 << 20))
    out[f"{20 if quick else 200} MB single-line CSV"] = (["validate", str(pkg)], None)

    # a part that stores one long note once (a dictionary) for every row: of many
    # rows, then of rows longer than a batch's budget from the first on
    rows = 20_000 if quick else 60_000
    for name, (count, length) in {"many": (rows, 19_000), "long": (2_000, 1_000_000)}.items():
        pkg = package(tmp, f"parquet-dictionary-{name}")
        size = parquet_dictionary(pkg, count, length) / 1e3
        gb = count * length / 1e9
        out[f"{size:.0f} KB Parquet, {gb:.1f} GB of notes once read"] = (
            ["validate", str(pkg)],
            None,
        )
    return out


def parquet_dictionary(pkg: Path, rows: int, length: int) -> int:
    """Make the engagements of *pkg* a Parquet part of *rows* rows whose notes are one
    value of *length* characters, which the file stores once (a dictionary); its size."""
    import pyarrow as pa
    import pyarrow.csv as pacsv
    import pyarrow.parquet as pq

    table = pacsv.read_csv(
        pkg / "engagements.csv",
        convert_options=pacsv.ConvertOptions(
            column_types={n: pa.string() for n in _header(pkg / "engagements.csv")},
            strings_can_be_null=True,
        ),
    )
    table = table.take([i % table.num_rows for i in range(rows)])
    table = table.set_column(
        table.schema.get_field_index("id"), "id", pa.array([f"e-{i}" for i in range(rows)])
    )
    one = pa.DictionaryArray.from_arrays(pa.array([0] * rows, pa.int32()), pa.array(["y" * length]))
    table = table.set_column(table.schema.get_field_index("notes"), "notes", one)
    # without the Arrow schema, so that the notes read back as strings
    pq.write_table(table, pkg / "engagements.parquet", store_schema=False)
    (pkg / "engagements.csv").unlink()
    data = json.loads((pkg / "datapackage.json").read_text())
    for res in data["resources"]:
        if res["name"] == "engagements":
            for key in ("bytes", "hash", "dialect", "encoding", "mediatype"):
                res.pop(key, None)
            res.update(path="engagements.parquet", format="parquet")
    (pkg / "datapackage.json").write_text(json.dumps(data))
    return (pkg / "engagements.parquet").stat().st_size


def _header(file: Path) -> list[str]:
    with file.open(encoding="utf-8") as f:
        return f.readline().rstrip("\n").split(",")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    httpd.daemon_threads = True
    threading.Thread(target=httpd.serve_forever, daemon=True).start()
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    print(f"{'case':<48} {'exit':>4} {'seconds':>8} {'peak RSS MB':>12} {'output':>10}")
    with tempfile.TemporaryDirectory(prefix="bilat-hostile-") as tmp:
        todo = cases(Path(tmp), args.quick)
        todo["bilat list: a catalog that never ends"] = (
            ["list", "--catalog", f"{base}/endless"],
            None,
        )
        todo["bilat list: one byte every 2 s (BILAT_HTTP_TIMEOUT=10)"] = (
            ["list", "--catalog", f"{base}/drip"],
            {"BILAT_HTTP_TIMEOUT": "10"},
        )
        for name, (cmd, env) in todo.items():
            r = measure(cmd, env)
            print(
                f"{name:<48} {r['exit']:>4} {r['seconds']:>8} {r['peak_rss_mb']:>12} "
                f"{r['output_bytes']:>10}",
                flush=True,
            )
    httpd.shutdown()


if __name__ == "__main__":
    main()
