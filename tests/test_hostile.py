"""Hostile input ends in exit 0, 1 or 2 with a finding or a one-line error: never a
traceback, never a hang, never unbounded memory. Bombs run in a subprocess under an
address-space limit, so a regression fails fast instead of exhausting the machine."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from conftest import check_report
from mutants import VALID, edit_desc, resource

from bilat.validation import validate

#: Address space a bomb test may use (bytes).
AS_LIMIT = 2 << 30


def cli(*args: str, cwd: Path | None = None, limit: int | None = AS_LIMIT, timeout: float = 120):
    """Run ``bilat`` in a subprocess under an address-space limit; return the result."""
    prelude = ""
    if limit is not None:
        prelude = f"import resource; resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))\n"
    code = (
        prelude
        + "import sys\nfrom bilat.cli import main\nsys.argv = ['bilat', *sys.argv[1:]]\nmain()\n"
    )
    return subprocess.run(
        [sys.executable, "-c", code, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def no_traceback(done: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout, done.stderr[-2000:]
    assert done.returncode in (0, 1, 2), (done.returncode, done.stderr[-2000:])
    if done.stdout.startswith('{\n  "valid"'):  # a -f json report: check its shape
        check_report(done.stdout)


def copy(tmp_path: Path) -> Path:
    pkg = tmp_path / "pkg"
    shutil.copytree(VALID, pkg)
    return pkg


# -- what is named on the command line -----------------------------------------------------


@pytest.mark.parametrize("name", ["x.zip", "datapackage.json"])
def test_a_fifo_named_on_the_command_line_is_exit_2(tmp_path: Path, name: str) -> None:
    fifo = tmp_path / name
    os.mkfifo(fifo)
    done = cli("validate", str(fifo), timeout=30)
    no_traceback(done)
    assert done.returncode == 2 and "FIFO" in done.stdout
    assert validate(fifo).counts() == {"target-unreadable": 1}


def test_a_zip_that_is_a_link_to_a_device_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "x.zip").symlink_to("/dev/zero")
    done = cli("validate", str(tmp_path / "x.zip"), timeout=30)
    no_traceback(done)
    assert done.returncode == 2 and "device" in done.stdout


def test_a_link_loop_named_on_the_command_line_is_exit_2(tmp_path: Path) -> None:
    (tmp_path / "a").symlink_to(tmp_path / "b")
    (tmp_path / "b").symlink_to(tmp_path / "a")
    done = cli("validate", str(tmp_path / "a"), timeout=30)
    no_traceback(done)
    assert done.returncode == 2


# -- inside a package: findings, exit 1 -------------------------------------------------------


def test_a_descriptor_linked_to_a_device_is_a_finding(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    (pkg / "datapackage.json").symlink_to("/dev/zero")
    done = cli("validate", "-f", "json", str(pkg), timeout=30)
    no_traceback(done)
    assert done.returncode == 1
    codes = [f["code"] for f in json.loads(done.stdout)["packages"][0]["findings"]]
    assert codes == ["descriptor-unreadable"]


def test_a_fifo_descriptor_inside_a_folder_is_a_finding(tmp_path: Path) -> None:
    pkg = tmp_path / "pkg"
    pkg.mkdir()
    os.mkfifo(pkg / "datapackage.json")
    done = cli("validate", str(pkg), timeout=30)
    no_traceback(done)
    assert done.returncode == 1 and "FIFO" in done.stdout


@pytest.mark.parametrize("kind", ["fifo", "device", "loop", "socket"])
def test_a_resource_that_is_not_a_regular_file_is_a_finding(tmp_path: Path, kind: str) -> None:
    import socket

    pkg = copy(tmp_path)
    target = pkg / "persons.csv"
    target.unlink()
    if kind == "fifo":
        os.mkfifo(target)
    elif kind == "device":
        target.symlink_to("/dev/zero")
    elif kind == "loop":
        target.symlink_to(pkg / "loop")
        (pkg / "loop").symlink_to(target)
    else:
        server = socket.socket(socket.AF_UNIX)
        server.bind(str(target))
        server.close()
    done = cli("validate", "-f", "json", str(pkg), timeout=30)
    no_traceback(done)
    assert done.returncode == 1
    found = {(f["code"], f["resource"]) for f in json.loads(done.stdout)["packages"][0]["findings"]}
    assert ("not-a-regular-file", "persons") in found or ("unsafe-path", "persons") in found


@pytest.mark.parametrize(
    "fields",
    [5, "fields", [1, 2], [None], {"name": "id"}, [["id"]], [{"name": 5, "type": []}]],
)
def test_table_schema_fields_of_any_shape(tmp_path: Path, fields: object) -> None:
    pkg = copy(tmp_path)
    edit_desc(lambda d: resource(d, "persons")["schema"].update(fields=fields))(pkg)
    report = validate(pkg)
    assert not report.valid
    assert "schema-stale" in report.counts()


@pytest.mark.parametrize("key", ["$schema", "profile"])
@pytest.mark.parametrize("value", [5, ["a"], {"x": 1}, None, True])
def test_profile_of_any_type(tmp_path: Path, key: str, value: object) -> None:
    pkg = copy(tmp_path)
    edit_desc(lambda d: d.update({key: value}))(pkg)
    edit_desc(lambda d: resource(d, "persons").update({key: value}))(pkg)
    report = validate(pkg)
    if value is not None:
        assert not report.valid


def test_a_json_number_of_5000_digits(tmp_path: Path) -> None:
    from mutants import to_json_resource

    pkg = copy(tmp_path)
    to_json_resource("indicators", "indicator")(pkg)
    text = (pkg / "indicators.json").read_text()
    (pkg / "indicators.json").write_text(
        text.replace('"measure"', '"value": ' + "9" * 5000 + ', "measure"')
    )
    report = validate(pkg)
    assert report.counts()["json-invalid"] == 1


def test_lone_surrogates_come_out_escaped_in_every_format(tmp_path: Path) -> None:
    from mutants import to_json_resource

    pkg = copy(tmp_path)
    to_json_resource("statements", "statement")(pkg)
    text = (pkg / "statements.json").read_text()
    (pkg / "statements.json").write_text(
        text.replace('"speaker": "putin"', '"speaker": "\\ud800x"')
    )
    odd = tmp_path / os.fsdecode(b"pkg-\xff")
    shutil.copytree(pkg, odd)
    for fmt in ("json", "text", "github", "sarif"):
        done = cli("validate", "-f", fmt, str(odd), timeout=60)
        no_traceback(done)
        assert done.returncode == 1, (fmt, done.stderr)
        if fmt in ("json", "sarif"):
            json.loads(done.stdout)


def _zip(path: Path, name: str, data: bytes, method: int = zipfile.ZIP_STORED) -> None:
    with zipfile.ZipFile(path, "w", method) as z:
        z.writestr("pkg/datapackage.json", "{}")
        z.writestr(name, data)


def test_encrypted_and_unknown_compression_members_are_exit_2(tmp_path: Path) -> None:
    plain = tmp_path / "plain.zip"
    _zip(plain, "pkg/persons.csv", b"id\n")
    raw = bytearray(plain.read_bytes())
    encrypted = tmp_path / "encrypted.zip"
    unknown = tmp_path / "unknown.zip"
    # set the "encrypted" flag (bit 0) / an unknown method (99) in the local and central headers
    for target, offset, value in ((encrypted, 6, 1), (unknown, 8, 99)):
        data = bytearray(raw)
        for sig in (b"PK\x03\x04", b"PK\x01\x02"):
            start = 0
            while (i := data.find(sig, start)) != -1:
                at = i + offset + (2 if sig == b"PK\x01\x02" else 0)
                data[at] = value
                start = i + 4
        target.write_bytes(bytes(data))
        done = cli("validate", str(target), timeout=30)
        no_traceback(done)
        assert done.returncode == 2, done.stdout


def test_a_cell_over_the_cap_stops_the_resource_without_false_dangling_references(
    tmp_path: Path,
) -> None:
    pkg = copy(tmp_path)
    text = (pkg / "persons.csv").read_text()
    (pkg / "persons.csv").write_text(text.replace("S. Jaishankar", "x" * (2 << 20)))
    report = validate(pkg)
    assert report.counts() == {"row-too-large": 1}


def test_a_200_mb_single_line_csv_in_bounded_memory(tmp_path: Path) -> None:
    pkg = copy(tmp_path)
    with open(pkg / "persons.csv", "wb") as f:
        chunk = b"a" * (1 << 20)
        for _ in range(200):
            f.write(chunk)
    done = cli("validate", "-f", "json", str(pkg), limit=AS_LIMIT, timeout=120)
    no_traceback(done)
    assert done.returncode == 1
    codes = {f["code"] for f in json.loads(done.stdout)["packages"][0]["findings"]}
    assert "row-too-large" in codes


def test_a_findings_bomb_stays_bounded(tmp_path: Path) -> None:
    """20,000 rows each with several defects: capped per code, counted as omitted
    (bench/hostile.py measures 500,000)."""
    pkg = copy(tmp_path)
    header = (pkg / "engagements.csv").read_text().split("\n")[0]
    bad = 'Bad Id,,"[""src-article""]",tea_party,rumoured,,2023-02-30,,x,,,,,,zero,,\n'
    (pkg / "engagements.csv").write_text(header + "\n" + bad * 20_000)
    done = cli("validate", "-f", "json", str(pkg), limit=AS_LIMIT, timeout=300)
    no_traceback(done)
    doc = json.loads(done.stdout)
    (package,) = doc["packages"]
    assert len(package["findings"]) <= 1000 * 8
    assert doc["summary"]["omitted"] > 60_000
    assert package["truncated"] is True


def test_a_header_of_200000_columns(tmp_path: Path) -> None:
    """(bench/hostile.py measures a million)"""
    pkg = copy(tmp_path)
    (pkg / "persons.csv").write_text(",".join(f"c{i}" for i in range(200_000)) + "\n")
    done = cli("validate", "-f", "json", str(pkg), limit=AS_LIMIT, timeout=120)
    no_traceback(done)
    assert done.returncode == 1
    assert len(done.stdout) < 2_000_000


def test_a_list_of_100000_unknown_ids(tmp_path: Path) -> None:
    """(bench/hostile.py measures a million): dangling references capped, memory bounded."""
    from mutants import to_json_resource

    pkg = copy(tmp_path)
    to_json_resource("engagements", "engagement")(pkg)
    records = json.loads((pkg / "engagements.json").read_text())
    records[0]["participants"] = [f"u{i}" for i in range(100_000)]
    (pkg / "engagements.json").write_text(json.dumps(records))
    done = cli("validate", "-f", "json", str(pkg), limit=AS_LIMIT, timeout=120)
    no_traceback(done)
    doc = json.loads(done.stdout)
    assert doc["summary"]["omitted"] == 99_000
    assert len(done.stdout) < 1_000_000
