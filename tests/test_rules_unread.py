"""Layer 5 says nothing from a table it did not read whole: a rule that counts a
table's records (the votes behind a motion's counts, the votes a position lists)
skips when the table could not be read, or its reading stopped early; the finding
that says why stands alone."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from mutants import build, edit_desc, resource

from bilat.validation import validate

COUNTING = {"vote-count-mismatch", "position-without-votes"}


def _complete(then: Callable[[Path], None]) -> Callable[[Path], None]:
    """The valid package, its motion's roll call complete (its counts those of the
    two votes recorded), then *then*."""

    def apply(folder: Path) -> None:
        motions = folder / "motions.csv"
        raw = motions.read_bytes()
        assert b",141,5,35,12,partial," in raw
        motions.write_bytes(raw.replace(b",141,5,35,12,partial,", b",0,1,1,0,complete,"))
        then(folder)

    return apply


def _codes(folder: Path) -> set[str]:
    return {f.code for f in validate(folder).findings}


def test_the_complete_roll_call_is_valid(tmp_path: Path) -> None:
    assert _codes(build("base", tmp_path, _complete(lambda f: None))) == set()


def test_votes_in_a_format_bilat_cannot_read_count_no_votes(tmp_path: Path) -> None:
    unsupported = edit_desc(lambda d: resource(d, "votes").update(format="CSV"))
    codes = _codes(build("fmt", tmp_path, _complete(unsupported)))
    assert "unsupported-format" in codes
    assert not codes & COUNTING, codes


def test_votes_whose_file_cannot_be_read_count_no_votes(tmp_path: Path) -> None:
    def folder_for_a_file(folder: Path) -> None:
        (folder / "votes.csv").unlink()
        (folder / "votes.csv").mkdir()

    codes = _codes(build("folder", tmp_path, _complete(folder_for_a_file)))
    assert "not-a-regular-file" in codes
    assert not codes & COUNTING, codes


def test_votes_read_whole_are_still_counted(tmp_path: Path) -> None:
    def drop_a_vote(folder: Path) -> None:
        lines = (folder / "votes.csv").read_bytes().split(b"\n")
        (folder / "votes.csv").write_bytes(b"\n".join(lines[:1] + lines[2:]))

    assert "vote-count-mismatch" in _codes(build("dropped", tmp_path, _complete(drop_a_vote)))
