"""An unknown name, with the nearest known ones: one error for every look-up by name.

An id, a record kind, a vocabulary, a vocabulary term, an office or a series name that
a package or bilat does not know raises :class:`UnknownName`, a ``KeyError`` whose
message suggests the closest known names (by :mod:`difflib`), so a typo never
silently returns nothing.

>>> raise unknown_name("series", "India-Russia Annual Summit", ["India–Russia Annual Summit"])
Traceback (most recent call last):
...
bilat.names.UnknownName: no series 'India-Russia Annual Summit'; did you mean 'India–Russia Annual Summit'?
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping


class UnknownName(KeyError):
    """A name that is not known: ``what`` it should be, the ``name`` given, and the
    ``suggestions`` (nearest known names first)."""

    def __init__(
        self,
        what: str,
        name: object,
        suggestions: Iterable[str] = (),
        hint: str = "",
        where: str = "",
    ) -> None:
        self.what = what
        self.name = name
        self.suggestions = tuple(suggestions)
        message = f"no {what} {name!r}{where}"
        if self.suggestions:
            message += "; did you mean " + " or ".join(self.suggestions) + "?"
        elif hint:
            message += f"; {hint}"
        self.message = message
        super().__init__(message)

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message


def nearest(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known names closest to *name* (case and dash ignored), nearest first."""
    import difflib

    def fold(text: str) -> str:
        return text.casefold().replace("–", "-").replace("—", "-").replace("_", "-")

    by_fold: dict[str, str] = {}
    for k in known:
        by_fold.setdefault(fold(k), k)
    hits = difflib.get_close_matches(fold(name), list(by_fold), n=n, cutoff=0.6)
    return [by_fold[h] for h in hits]


def unknown_name(
    what: str,
    name: object,
    known: Iterable[str],
    *,
    labels: Mapping[str, str] | None = None,
    where: str = "",
) -> UnknownName:
    """The :class:`UnknownName` for *name*, suggesting the nearest of *known*. With
    *labels* (known name -> a longer name, such as an actor's), a name close to a
    label suggests its known name too: ``'india'`` suggests ``'ind' (India)``. *where*
    follows the name in the message (``" in vocabulary 'stances'"``)."""
    known = list(known)
    text = str(name)
    found = nearest(text, known)
    if labels:
        by_label: dict[str, list[str]] = {}
        for key, label in labels.items():
            by_label.setdefault(label, []).append(key)
        for label in nearest(text, by_label):
            found += [k for k in by_label[label] if k not in found]
    shown = [repr(k) + (f" ({labels[k]})" if labels and labels.get(k) else "") for k in found[:3]]
    hint = "" if known else "there are none"
    if not shown and 0 < len(known) <= 20:
        hint = "known: " + ", ".join(repr(k) for k in known)
    return UnknownName(what, name, shown, hint, where)


__all__ = ["UnknownName", "nearest", "unknown_name"]
