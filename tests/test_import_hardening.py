"""`bilat import --append` onto a package its user (or `bilat link`) added to, and what
an import does with input it cannot take: each case one line naming it, never a
traceback, never a package silently changed."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from test_import_output import halves
from typer.testing import CliRunner

from bilat.cli import app
from bilat.validation import validate

pytestmark = pytest.mark.events

DATA = Path(__file__).parent / "data" / "import"
ICEWS = DATA / "icews-2018-06-01-excerpt.tab"
ENGAGEMENTS = Path(__file__).parent / "data" / "link" / "engagements-2018-06-01"
runner = CliRunner()


def bilat(*args: object) -> tuple[int, str]:
    done = runner.invoke(app, [str(a) for a in args])
    return done.exit_code, done.output


def names(out: Path) -> list[str]:
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    return [r["name"] for r in descriptor["resources"]]


def test_append_keeps_the_links_and_the_resources_it_does_not_write(tmp_path: Path) -> None:
    """Links proposed by `bilat link`, and a resource its user added, stay in the
    descriptor (their files untouched) after an --append; `bilat link` runs again."""
    a, b = halves(tmp_path)
    out = tmp_path / "ev"
    assert bilat("import", "icews", a, "--out", out)[0] == 0
    assert bilat("link", out, ENGAGEMENTS)[0] == 0
    (out / "notes.csv").write_text("id,note\nn1,mine\n", encoding="utf-8")
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    descriptor["resources"].append(
        {"name": "notes", "path": "notes.csv", "type": "table", "format": "csv"}
    )
    (out / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    links = (out / "links.csv").read_bytes()
    code, said = bilat("import", "icews", b, "--out", out, "--append")
    assert code == 0, said
    assert {"links", "notes", "coded_events"} <= set(names(out)), names(out)
    assert (out / "links.csv").read_bytes() == links
    assert (out / "notes.csv").read_text(encoding="utf-8") == "id,note\nn1,mine\n"
    code, said = bilat("link", out, ENGAGEMENTS)
    assert code == 0, said
    assert validate(out, engine="rows").valid


def test_append_keeps_what_the_user_wrote_in_the_readme(tmp_path: Path) -> None:
    """README.md: the import's part (between its markers) is written again at each
    --append; notes above and below it are kept, and a README without the markers is
    kept whole, the import's part added after it."""
    a, b = halves(tmp_path)
    out = tmp_path / "ev"
    assert bilat("import", "icews", a, "--out", out)[0] == 0
    readme = out / "README.md"
    readme.write_text(
        "My notes above.\n\n" + readme.read_text(encoding="utf-8") + "\nMy notes below.\n",
        encoding="utf-8",
    )
    assert bilat("import", "icews", b, "--out", out, "--append")[0] == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("My notes above.\n\n")
    assert text.endswith("\nMy notes below.\n")
    assert text.count("## Import 2: icews") == 1 and text.count("## Import 1: icews") == 1
    readme.write_text("Hand-written, no markers.\n", encoding="utf-8")
    assert bilat("import", "icews", b, "--out", out, "--append")[0] == 0
    text = readme.read_text(encoding="utf-8")
    assert text.startswith("Hand-written, no markers.\n")
    assert "## Import 3: icews" in text
    assert validate(out, engine="rows").valid


def test_plover_fields_that_are_not_text_reject_the_row_naming_the_field(
    tmp_path: Path,
) -> None:
    """A PLOVER number, list or object where text belongs, and an object nested past
    what Python's JSON reader takes, each reject their row (line and field named)."""
    good = {"id": "a0", "date": "2021-03-04", "event": "CONSULT"}
    bad = [
        ({"story_id": 12345}, "story_id"),
        ({"mode": 3}, "mode"),
        ({"url": 7}, "url"),
        ({"event": ["CONSULT"]}, "event"),
        ({"source": {"actorText": ["A", "B"]}}, "source.actorText"),
        ({"context": [{"x": 1}]}, "context"),
    ]
    lines = [json.dumps(good)]
    for n, (extra, _) in enumerate(bad, 1):
        lines.append(json.dumps({**good, "id": f"a{n}", **extra}))
    deep = 20_000
    lines.append('{"id":"deep","date":"2021-03-04","x":' + "[" * deep + "]" * deep + "}")
    src = tmp_path / "s.jsonl"
    src.write_text("\n".join(lines) + "\n", encoding="utf-8")
    out = tmp_path / "q"
    code, said = bilat("import", "plover", src, "--out", out)
    assert code == 1, said  # rows were rejected
    assert "Traceback" not in said
    assert "read 8, imported 1" in said and "rejected 7" in said, said
    rejected = (out / "import-rejected.csv").read_text(encoding="utf-8").splitlines()
    fields = [line.split(",")[2] for line in rejected[1:]]
    assert fields == [f for _, f in bad] + [""], rejected
    assert "nested too deep" in rejected[-1] and ",8," in rejected[-1]


def snapshot(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(folder.iterdir()) if p.is_file()}


def edit_csv(path: Path, column: str, value: str) -> None:
    """Set *column* of the first row of the CSV file *path* to *value*."""
    import csv

    with path.open(encoding="utf-8", newline="") as f:
        rows = list(csv.reader(f))
    rows[1][rows[0].index(column)] = value
    with path.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, lineterminator="\n").writerows(rows)


def test_append_reads_a_table_that_starts_with_a_bom(tmp_path: Path) -> None:
    """A BOM at the start of coded_events.csv or sources.csv (validate allows one, with
    a warning) is skipped, not read as part of the first column's name."""
    a, b = halves(tmp_path)
    out = tmp_path / "ev"
    assert bilat("import", "icews", a, "--out", out)[0] == 0
    for name in ("coded_events.csv", "sources.csv"):
        path = out / name
        path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    code, said = bilat("import", "icews", b, "--out", out, "--append")
    assert code == 0, said
    assert validate(out, engine="rows").valid


@pytest.mark.parametrize(
    "damage",
    [
        "intensity abc, merged",
        "intensity abc, carried",
        "source type datasett",
        "x-bilat-import a string",
        "runs a string",
        "a run without files",
    ],
)
def test_append_onto_a_hand_edited_package_is_one_line_naming_it(
    tmp_path: Path, damage: str
) -> None:
    """A cell of the package appended to that is not of its field's type (merged into
    or only carried on), a record its model refuses, and an import history that is not
    one: each is one line naming file, row and field (or the descriptor), exit 2, and
    the package as it was."""
    a, b = halves(tmp_path)
    out = tmp_path / "ev"
    assert bilat("import", "icews", a, "--out", out)[0] == 0
    descriptor = json.loads((out / "datapackage.json").read_text(encoding="utf-8"))
    again = a if damage.endswith("merged") else b
    expect = "datapackage.json"
    if damage.startswith("intensity"):
        edit_csv(out / "coded_events.csv", "intensity", "abc")
        expect = "coded_events.csv: row 1, field intensity"
    elif damage.startswith("source"):
        edit_csv(out / "sources.csv", "type", "datasett")
        expect = "sources.csv: row 1, field type"
    elif damage.startswith("x-bilat"):
        descriptor["x-bilat-import"] = "icews"
        expect = "not a package written by bilat import"
    elif damage.startswith("runs"):
        descriptor["x-bilat-import"]["runs"] = "many"
    else:
        del descriptor["x-bilat-import"]["runs"][0]["files"]
    (out / "datapackage.json").write_text(json.dumps(descriptor), encoding="utf-8")
    before = snapshot(out)
    done = runner.invoke(app, ["import", "icews", str(again), "--out", str(out), "--append"])
    assert done.exit_code == 2, done.output
    assert done.exception is None or isinstance(done.exception, SystemExit)
    assert expect in done.stderr, done.stderr
    assert len(done.stderr.strip().splitlines()) == 1, done.stderr
    assert snapshot(out) == before


@pytest.mark.parametrize("append", [False, True])
def test_an_import_into_an_out_another_import_is_writing_is_refused(
    tmp_path: Path, append: bool
) -> None:
    """While one import holds OUT (its lock beside it), a second into the same OUT, an
    --append or a new package, is one line saying so, exit 2, nothing written; once
    the first is done, the next runs."""
    from filelock import FileLock

    a, b = halves(tmp_path)
    out = tmp_path / "ev"
    if append:
        assert bilat("import", "icews", a, "--out", out)[0] == 0
    before = snapshot(out) if append else None
    args = ["import", "icews", str(b), "--out", str(out)] + (["--append"] if append else [])
    with FileLock(str(tmp_path / ".ev.import.lock"), timeout=0):
        done = runner.invoke(app, args)
        assert done.exit_code == 2, done.output
        assert "another bilat import into it is running" in done.stderr, done.stderr
        assert (snapshot(out) if append else out.exists()) == (before if append else False)
    done = runner.invoke(app, args)
    assert done.exit_code == 0, done.output


def test_long_native_ids_never_share_an_id(tmp_path: Path) -> None:
    """Two ICEWS ids that differ only past the 91st character are two events (the
    hash that tells them apart is kept when the slug is cut); an id whose slug was
    short enough keeps the id it had."""
    from bilat.importers.formats import slug

    assert slug("20180101-ABC_1") == "20180101-abc-1-1cb0f8ee"
    assert slug("9" * 100) == "9" * 100
    assert slug("A" * 91) == "a" * 91 + "-5cd33462"  # as before
    assert len(slug("A" * 91)) == 100
    assert slug("1" * 110 + "a") != slug("1" * 110 + "b")
    assert len(slug("1" * 300)) == 100
    head, row = ICEWS.read_text(encoding="utf-8").splitlines()[:2]
    rest = row.split("\t", 1)[1]
    src = tmp_path / "long.tab"
    src.write_text(
        f"{head}\n{'1' * 110}A\t{rest}\n{'1' * 110}B\t{rest}\n{'1' * 110}a\t{rest}\n",
        encoding="utf-8",
    )
    code, said = bilat("import", "icews", src, "--out", tmp_path / "ev")
    assert code == 0, said
    assert "read 3, imported 3, merged 0" in said, said


@pytest.mark.parametrize("fmt", ["icews", "polecat"])
def test_a_header_naming_a_column_twice_is_refused(tmp_path: Path, fmt: str) -> None:
    """Which of two columns of one name to read is not known: the file is refused,
    naming the column, exit 2, nothing written."""
    head = "Event ID\tEvent Date\tEvent Type\tIntensity\tIntensity"
    src = tmp_path / "dup.tab"
    src.write_text(f"{head}\ne1\t2018-06-01\tCONSULT\t1\t9\n", encoding="utf-8")
    out = tmp_path / "ev"
    done = runner.invoke(app, ["import", fmt, str(src), "--out", str(out)])
    assert done.exit_code == 2, done.output
    assert "'Intensity' twice" in done.stderr, done.stderr
    assert not out.exists()


def test_a_rejected_cell_is_shown_cut_not_whole(tmp_path: Path) -> None:
    """A cell of a megabyte that rejects its row is shown as its first characters and
    its length, in the terminal, the README and the rejections file."""
    head, row = ICEWS.read_text(encoding="utf-8").splitlines()[:2]
    cells = row.split("\t")
    cells[head.split("\t").index("Intensity")] = "9" * 500_000 + "x"
    src = tmp_path / "huge.tab"
    src.write_text(f"{head}\n" + "\t".join(cells) + "\n", encoding="utf-8")
    out = tmp_path / "ev"
    done = runner.invoke(app, ["import", "icews", str(src), "--out", str(out)])
    assert done.exit_code == 1, done.output[:2000]
    assert "(500001 characters)" in done.output
    assert len(done.output) < 5000
    for name in ("README.md", "import-rejected.csv"):
        text = (out / name).read_text(encoding="utf-8")
        assert "(500001 characters)" in text and len(text) < 5000, name


@pytest.mark.parametrize("column", ["Intensity", "Latitude", "Sentence Number"])
def test_a_number_with_an_underscore_is_rejected(tmp_path: Path, column: str) -> None:
    """Python reads 1_0 as 10; a cell that holds it is no number, and its row is
    rejected naming the column."""
    head, row = ICEWS.read_text(encoding="utf-8").splitlines()[:2]
    cells = row.split("\t")
    cells[head.split("\t").index(column)] = "1_0"
    src = tmp_path / "u.tab"
    src.write_text(f"{head}\n" + "\t".join(cells) + "\n", encoding="utf-8")
    out = tmp_path / "ev"
    done = runner.invoke(app, ["import", "icews", str(src), "--out", str(out)])
    assert done.exit_code == 1, done.output
    assert f"{column} '1_0' is not a" in done.output, done.output


def test_appending_the_same_file_again_lists_each_merged_id_once(tmp_path: Path) -> None:
    """An exact repeat's native id goes into merged_ids once; appending the same file
    again and again does not list it again."""
    import csv

    src = DATA / "icews-quirks-built.tab"
    out = tmp_path / "q"
    for n in range(3):
        args = ["import", "icews", src, "--out", out] + (["--append"] if n else [])
        assert bilat(*args)[0] == 1  # the file has rows it rejects
    with (out / "coded_events.csv").open(encoding="utf-8", newline="") as f:
        rows = {r["id"]: r for r in csv.DictReader(f)}
    assert rows["icews-90000001-2018-06-02"]["merged_ids"] == '["90000001"]'


@pytest.mark.parametrize("code", ["999", "0000", "13"])
def test_a_code_not_in_the_cameo_list_is_rejected(tmp_path: Path, code: str) -> None:
    """A code of two to four digits that the CAMEO code list does not hold is not a
    CAMEO code: its row is rejected naming the column (13, a root, is one)."""
    head, row = ICEWS.read_text(encoding="utf-8").splitlines()[:2]
    cells = row.split("\t")
    cells[head.split("\t").index("CAMEO Code")] = code
    src = tmp_path / "c.tab"
    src.write_text(f"{head}\n" + "\t".join(cells) + "\n", encoding="utf-8")
    done = runner.invoke(app, ["import", "icews", str(src), "--out", str(tmp_path / "ev")])
    if code == "13":
        assert done.exit_code == 0, done.output
    else:
        assert done.exit_code == 1, done.output
        assert f"CAMEO Code '{code}' is not a CAMEO code" in done.output, done.output


def test_a_line_longer_than_the_cap_is_rejected_not_held(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A tab-separated line (or a PLOVER record) longer than the cap on a row is
    rejected naming its line and length, the rows after it imported; it is read on
    in pieces of the cap, never held whole (the cap lowered to 2,000 characters here;
    the next test measures the memory at the real cap)."""
    from bilat.importers import formats

    monkeypatch.setattr(formats, "MAX_LINE", 2000)
    lines = ICEWS.read_text(encoding="utf-8").splitlines(keepends=True)
    long = lines[1].rstrip("\n").replace("\t", "\t" + "x" * 3000, 1) + "\n"
    source = tmp_path / "long.tab"
    source.write_text(lines[0] + long + "".join(lines[2:11]), encoding="utf-8")
    out = tmp_path / "ev"
    code, said = bilat("import", "icews", source, "--out", out)
    assert code == 1, said  # written, one row rejected
    rejected = (out / "import-rejected.csv").read_text(encoding="utf-8")
    assert "is 3," in rejected and "characters long, more than the 2,000 read" in rejected
    assert rejected.count("\n") == 2 and ",2," in rejected  # the header, and line 2 only
    assert validate(out).valid
    records = tmp_path / "plover.jsonl"
    record = {"id": "a1", "date": "2021-03-04", "event": "CONSULT", "text": "y" * 3000}
    records.write_text(json.dumps(record) + "\n" + json.dumps({**record, "id": "a2", "text": "ok"}))
    code, said = bilat("import", "plover", records, "--out", tmp_path / "pl")
    assert code == 1, said
    assert "characters long, more than the 2,000 read" in said


def test_a_64_mb_line_is_imported_in_bounded_memory(tmp_path: Path) -> None:
    """A line of 64 MB with no newline (a file of another kind, say) took its size
    several times over (a 200 MB one 1.1 GB); it is now read 16 MiB at a time and
    dropped."""
    import subprocess
    import sys

    lines = ICEWS.read_text(encoding="utf-8").splitlines(keepends=True)
    source = tmp_path / "huge.tab"
    with open(source, "w", encoding="utf-8") as f:
        f.write("".join(lines[:6]))
        f.write("z" * (64 << 20))
    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from bilat.cli import app\n"
        "done = CliRunner().invoke(app, ['import', 'icews', sys.argv[1], '--out', sys.argv[2]])\n"
        "peak = [l for l in open('/proc/self/status') if l.startswith('VmHWM')][0]\n"
        "print(done.exit_code, int(peak.split()[1]) // 1024)\n"
    )
    run = subprocess.run(
        [sys.executable, "-c", script, str(source), str(tmp_path / "ev")],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    code, peak = (int(x) for x in run.stdout.split()[-2:])
    assert code == 1, run.stdout + run.stderr  # written, the long line rejected
    assert peak < 250, f"peak {peak} MiB"
