"""`bilat fmt`: canonical, idempotent, --check changes nothing, unreadable files are
left untouched, and a run killed midway leaves every file whole."""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from mutants import VALID
from typer.testing import CliRunner

from bilat.cli import app
from bilat.validation import validate

runner = CliRunner()
ROOT = Path(__file__).resolve().parent.parent


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def shuffled(tmp_path: Path) -> Path:
    """The valid package, rows shuffled, columns reordered, list cells spaced, descriptor
    rewritten by hand (indented otherwise, extra fields, an unknown resource)."""
    pkg = tmp_path / "pkg"
    shutil.copytree(VALID, pkg)
    rng = random.Random(3)
    for path in pkg.glob("*.csv"):
        rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
        header, body = rows[0], rows[1:]
        rng.shuffle(body)
        order = list(range(len(header)))
        if path.name == "persons.csv":
            order = [1, 0, *order[2:]]
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\r\n", quoting=csv.QUOTE_ALL)
        for row in [header, *body]:
            cells = [row[i] for i in order]
            writer.writerow([c.replace('","', '", "') for c in cells])
        path.write_text(out.getvalue(), encoding="utf-8")
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    descriptor["description"] = "kept"
    descriptor["resources"][0]["description"] = "kept too"
    descriptor["resources"][1].pop("schema")
    descriptor["resources"].append({"name": "notes", "path": "notes.txt"})
    (pkg / "notes.txt").write_text("not a table\n")
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, indent=4))
    return pkg


def test_check_changes_nothing_then_fmt_makes_it_canonical(tmp_path: Path) -> None:
    pkg = shuffled(tmp_path)
    before = snapshot(pkg)
    result = runner.invoke(app, ["fmt", "--check", str(pkg)])
    assert result.exit_code == 1
    assert "would reformat" in result.stdout and "persons.csv" in result.stdout
    assert snapshot(pkg) == before  # --check changed nothing
    assert runner.invoke(app, ["fmt", str(pkg)]).exit_code == 0
    after = snapshot(pkg)
    for name, data in snapshot(VALID).items():
        if name != "datapackage.json":
            assert after[name] == data, name  # byte for byte what write_package writes
    descriptor = json.loads(after["datapackage.json"])
    assert descriptor["description"] == "kept"
    assert descriptor["resources"][0]["description"] == "kept too"
    assert descriptor["resources"][-1] == {"name": "notes", "path": "notes.txt"}
    valid = json.loads(snapshot(VALID)["datapackage.json"])
    assert descriptor["resources"][1] == valid["resources"][1]  # the schema regenerated
    assert validate(pkg).valid
    # idempotent: formatting twice changes nothing
    assert runner.invoke(app, ["fmt", "--check", str(pkg)]).exit_code == 0
    assert runner.invoke(app, ["fmt", str(pkg)]).exit_code == 0
    assert snapshot(pkg) == after


def test_the_bundled_dataset_is_canonical() -> None:
    result = runner.invoke(app, ["fmt", "--check", str(ROOT / "datasets" / "india-russia")])
    assert result.exit_code == 0, result.output


def test_a_resource_that_cannot_be_read_is_left_untouched(tmp_path: Path) -> None:
    pkg = shuffled(tmp_path)
    broken = (pkg / "engagements.csv").read_bytes() + b'"unterminated'
    (pkg / "engagements.csv").write_bytes(broken)
    result = runner.invoke(app, ["fmt", str(pkg)])
    assert result.exit_code == 1
    assert "engagements: not formatted" in result.output
    assert (pkg / "engagements.csv").read_bytes() == broken
    assert (pkg / "persons.csv").read_bytes() == (VALID / "persons.csv").read_bytes()


def test_a_table_whose_header_lacks_a_column_is_left_untouched(tmp_path: Path) -> None:
    """Its rows cannot be read as records: fmt wrote the table empty, and exit 0."""
    pkg = shuffled(tmp_path)
    rows = list(csv.reader(io.StringIO((pkg / "persons.csv").read_text(encoding="utf-8"))))
    at = rows[0].index("aliases")
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(r[:at] + r[at + 1 :] for r in rows)
    text = out.getvalue()
    (pkg / "persons.csv").write_text(text, encoding="utf-8")
    result = runner.invoke(app, ["fmt", str(pkg)])
    assert result.exit_code == 1 and "persons: not formatted: missing-header" in result.output
    assert (pkg / "persons.csv").read_text(encoding="utf-8") == text


def test_fmt_with_no_target_discovers_packages(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    shuffled(tmp_path)
    monkeypatch.chdir(tmp_path)
    result = runner.invoke(app, ["fmt", "--check"])
    assert result.exit_code == 1 and "pkg/persons.csv" in result.stdout
    empty = tmp_path / "empty"
    empty.mkdir()
    monkeypatch.chdir(empty)
    assert runner.invoke(app, ["fmt", "--check"]).exit_code == 2
    assert runner.invoke(app, ["fmt", "--check", "--allow-empty"]).exit_code == 0


def test_a_run_killed_midway_leaves_every_file_whole(tmp_path: Path) -> None:
    pkg = shuffled(tmp_path)
    path = pkg / "sources.csv"
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    template = rows[1]
    for i in range(40_000):
        rows.append([f"s-{i}", *template[1:]])
    out = io.StringIO()
    csv.writer(out, lineterminator="\n").writerows(rows)
    path.write_text(out.getvalue(), encoding="utf-8")
    original = snapshot(pkg)
    reference = tmp_path / "reference"
    shutil.copytree(pkg, reference)
    began = time.monotonic()  # a whole run, timed, so that every kill lands inside one
    subprocess.run([sys.executable, "-m", "bilat", "fmt", str(reference)], check=True)
    whole = time.monotonic() - began
    formatted = snapshot(reference)
    rng = random.Random(11)
    for _ in range(6):
        proc = subprocess.Popen([sys.executable, "-m", "bilat", "fmt", str(pkg)])
        time.sleep(rng.uniform(0.3, 1.0) * whole)
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        now = snapshot(pkg)
        for name, data in now.items():
            if name.startswith(".") or "/." in name:
                continue
            assert data in (original.get(name), formatted.get(name)), name
    subprocess.run([sys.executable, "-m", "bilat", "fmt", str(pkg)], check=True)
    assert {k: v for k, v in snapshot(pkg).items() if not k.startswith(".")} == formatted


def test_the_sort_files_of_a_killed_fmt_are_removed_by_the_next(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """fmt's external sort writes its files in a folder of its process's own in the
    temporary folder, claimed by a lock. What a fmt killed midway leaves there (here
    a copy of that folder as it is while fmt runs: no process holds the copy's lock,
    as none holds a killed one's) is removed by the next fmt on the machine."""
    import tempfile

    from bilat.fmt import plan
    from bilat.importers import output

    pkg = shuffled(tmp_path)
    running, killed = tmp_path / "tmp", tmp_path / "tmp-killed"
    running.mkdir()
    monkeypatch.setattr(output, "SORT_BUDGET", 1)  # a file a row
    monkeypatch.setattr(tempfile, "tempdir", str(running))
    first = plan(pkg)
    spilled = list(running.rglob("run-*.bin"))
    assert first.changes and spilled
    shutil.copytree(running, killed)
    left = [killed / p.relative_to(running) for p in spilled]
    monkeypatch.setattr(tempfile, "tempdir", str(killed))
    second = plan(pkg)
    assert second.changes and not any(p.exists() for p in left)
    (mine,) = [p for p in killed.iterdir() if p.is_dir()]  # the second's own, claimed
    assert mine.with_name(mine.name + ".lock").is_file() and list(mine.rglob("run-*.bin"))


def test_a_hand_written_descriptor_gets_one_finding_per_resource_and_rows_are_checked(
    tmp_path: Path,
) -> None:
    """Resources listed by name and path only: one schema-stale each, not a dozen; the
    rows are still checked against the generated schema; bilat fmt repairs it."""
    pkg = tmp_path / "pkg"
    shutil.copytree(VALID, pkg)
    descriptor = json.loads((pkg / "datapackage.json").read_text())
    descriptor["resources"] = [
        {"name": r["name"], "path": r["path"]} for r in descriptor["resources"]
    ]
    (pkg / "datapackage.json").write_text(json.dumps(descriptor, indent=2))
    text = (pkg / "engagements.csv").read_text()
    (pkg / "engagements.csv").write_text(text.replace("2023-12-27,", "2023-02-30,", 1))
    report = validate(pkg)
    stale = report.filter(code="schema-stale")
    assert len(stale) == len(descriptor["resources"])
    assert all("run `bilat fmt`" in f.message and f.resource for f in stale)
    other = {(f.code, f.resource) for f in report.errors if f.code != "schema-stale"}
    assert other == {("constraint-error", "engagements")}  # the rows were checked
    assert "dialect-not-pinned" in report.counts()  # a warning per resource, as before
    (pkg / "engagements.csv").write_text(text)
    assert runner.invoke(app, ["fmt", str(pkg)]).exit_code == 0
    assert validate(pkg).findings == []


def test_a_changed_seed_gets_its_hash_from_fmt(tmp_path: Path) -> None:
    """The seed hash is derived data: validate flags it stale, fmt --check fails on it
    without writing, fmt regenerates it from the file, and validate then passes."""
    pkg = tmp_path / "pkg"
    shutil.copytree(VALID, pkg)
    seed = pkg / "seeds" / "article.txt"
    seed.write_text(seed.read_text(encoding="utf-8") + "A line added later.\n", encoding="utf-8")
    assert "seed-hash-mismatch" in validate(pkg).counts()
    before = snapshot(pkg)
    check = runner.invoke(app, ["fmt", "--check", str(pkg)])
    assert check.exit_code == 1 and "sources.csv" in check.stdout
    assert snapshot(pkg) == before
    assert runner.invoke(app, ["fmt", str(pkg)]).exit_code == 0
    digest = hashlib.sha256(seed.read_bytes()).hexdigest()
    assert digest in (pkg / "sources.csv").read_text(encoding="utf-8")
    assert validate(pkg).valid
    changed = {n for n, data in snapshot(pkg).items() if before.get(n) != data}
    assert changed == {"sources.csv"}


def release_1_0(tmp_path: Path) -> Path:
    """The committed 1.0.0 release of india-russia (schema version 1), unpacked: what
    `fmt --upgrade` rewrites (statements.csv, then datapackage.json)."""
    import zipfile

    with zipfile.ZipFile(ROOT / "catalog" / "india-russia-1.0.0.zip") as archive:
        archive.extractall(tmp_path / "unpacked")
    return tmp_path / "unpacked" / "india-russia-1.0.0"


def test_a_refused_descriptor_leaves_the_whole_package_as_it_was(tmp_path: Path) -> None:
    """datapackage.json is a link, which fmt never replaces: before, fmt --upgrade
    rewrote statements.csv first and then refused the descriptor, leaving a package
    that no longer validated. Every file is guarded before any is written."""
    pkg = release_1_0(tmp_path)
    (pkg / "datapackage.json").rename(pkg / "real.json")
    (pkg / "datapackage.json").symlink_to("real.json")
    before = snapshot(pkg)
    result = runner.invoke(app, ["fmt", "--upgrade", str(pkg)])
    assert result.exit_code == 1
    assert "datapackage.json is a symbolic link" in result.output
    assert "reformatted" not in result.output
    assert snapshot(pkg) == before
    assert validate(pkg).valid


def test_a_write_that_fails_midway_replaces_nothing(tmp_path: Path) -> None:
    """A full disk, as the file size limit makes it: statements.csv (1.5 kB) fits and
    datapackage.json (59 kB) does not. Nothing is replaced, no temporary file is
    left, and the error names the file."""
    import resource

    pkg = release_1_0(tmp_path)
    before = snapshot(pkg)

    def small_files() -> None:
        resource.setrlimit(resource.RLIMIT_FSIZE, (8192, 8192))

    done = subprocess.run(
        [sys.executable, "-m", "bilat", "fmt", "--upgrade", str(pkg)],
        capture_output=True,
        text=True,
        preexec_fn=small_files,
        env={**os.environ, "PYTHONDONTWRITEBYTECODE": "1"},
        timeout=120,
    )
    assert done.returncode == 1, done.stderr
    assert "datapackage.json" in done.stderr and "Traceback" not in done.stderr
    assert "reformatted" not in done.stdout
    assert snapshot(pkg) == before  # statements.csv too: nothing replaced
    assert not [p for p in pkg.iterdir() if p.name.endswith(".tmp")]
    assert validate(pkg).valid


def test_a_data_card_that_cannot_be_read_is_one_line_naming_it(tmp_path: Path) -> None:
    """README.md is read as a package's other files are: bytes that are not UTF-8, a
    link out of the package, a FIFO are each one line naming the card (before: a
    UnicodeDecodeError's traceback, or a read through the link); the rest is formatted."""
    pkg = shuffled(tmp_path)
    card = pkg / "README.md"
    card.write_bytes(b"# A card\n\xff\xfe bad\n")
    secret = tmp_path / "secret.md"
    secret.write_text("<!-- coverage:start -->\n<!-- coverage:end -->\n")
    for check in (["--check"], []):
        result = runner.invoke(app, ["fmt", *check, str(pkg)])
        assert result.exit_code == 1 and isinstance(result.exception, SystemExit), result
        assert f"{card}: not formatted: it is not UTF-8 text (byte 0xff" in result.output
    assert (pkg / "persons.csv").read_bytes() == (VALID / "persons.csv").read_bytes()
    card.unlink()
    card.symlink_to(secret)
    result = runner.invoke(app, ["fmt", str(pkg)])
    assert result.exit_code == 1
    assert f"{card}: not formatted: it is a link out of the package" in result.output
    assert secret.read_text() == "<!-- coverage:start -->\n<!-- coverage:end -->\n"
    card.unlink()
    os.mkfifo(card)
    result = runner.invoke(app, ["fmt", str(pkg)])
    assert result.exit_code == 1 and "README.md: not formatted: it is a FIFO" in result.output


def linked(tmp_path: Path) -> Path:
    """A shuffled package whose persons.csv (to be reformatted) is a link, which fmt
    never replaces."""
    pkg = shuffled(tmp_path / "linked")
    (pkg / "persons.csv").rename(pkg / "people.csv")
    (pkg / "persons.csv").symlink_to("people.csv")
    return pkg


def test_check_reports_the_file_the_run_would_refuse(tmp_path: Path) -> None:
    """--check said "would reformat" for a link that the real run refuses: it says the
    refusal, as the run does, and changes nothing."""
    pkg = linked(tmp_path)
    before = snapshot(pkg)
    result = runner.invoke(app, ["fmt", "--check", str(pkg)])
    assert result.exit_code == 1
    assert f"{pkg / 'persons.csv'} is a symbolic link" in result.output
    assert "would reformat" in result.output  # the other files
    assert not any(
        line.startswith("would reformat") and line.endswith("persons.csv")
        for line in result.output.splitlines()
    )
    assert snapshot(pkg) == before


def test_a_refused_package_does_not_stop_the_next(tmp_path: Path) -> None:
    """A link in the first package used to abort the run: the second was never
    formatted. Each package is reported and the next formatted; exit 1."""
    first = linked(tmp_path)
    second = shuffled(tmp_path / "second")
    before = snapshot(first)
    result = runner.invoke(app, ["fmt", str(first), str(second)])
    assert result.exit_code == 1
    assert f"{first}: nothing was written" in result.output
    assert snapshot(first) == before
    assert (second / "persons.csv").read_bytes() == (VALID / "persons.csv").read_bytes()
    assert validate(second).valid


@pytest.mark.parametrize("kind", ["zip", "device", "fifo", "other file"])
def test_a_target_that_is_not_a_package_is_a_usage_error(tmp_path: Path, kind: str) -> None:
    """The README's table: exit 2 for a target that is not a package folder or its
    datapackage.json (a .zip, /dev/null, a FIFO were exit 1), before any is formatted."""
    pkg = shuffled(tmp_path)
    before = snapshot(pkg)
    if kind == "zip":
        target = str(tmp_path / "x.zip")
        shutil.make_archive(target[:-4], "zip", pkg)
    elif kind == "device":
        target = "/dev/null"
    elif kind == "fifo":
        target = str(tmp_path / "pipe")
        os.mkfifo(target)
    else:
        target = str(pkg / "persons.csv")
    for check in (["--check"], []):
        result = runner.invoke(app, ["fmt", *check, str(pkg), target])
        assert result.exit_code == 2, result.output
        assert f"{target}: " in result.output and "package folder" in result.output
        assert snapshot(pkg) == before


def test_a_file_replaced_keeps_its_permissions(tmp_path: Path) -> None:
    """A private (0600) table stays private once formatted (it became 0644: the mode
    the umask allows a new file); one of 0640 stays 0640."""
    pkg = shuffled(tmp_path)
    (pkg / "states.csv").chmod(0o600)
    (pkg / "persons.csv").chmod(0o640)
    assert runner.invoke(app, ["fmt", str(pkg)]).exit_code == 0
    assert (pkg / "persons.csv").read_bytes() == (VALID / "persons.csv").read_bytes()
    assert (pkg / "states.csv").stat().st_mode & 0o777 == 0o600
    assert (pkg / "persons.csv").stat().st_mode & 0o777 == 0o640
