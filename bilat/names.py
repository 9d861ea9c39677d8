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

from collections.abc import Callable, Iterable, Mapping
from functools import cached_property
from typing import Any


class UnknownName(KeyError):
    """A name that is not known: ``what`` it should be, the ``name`` given, and the
    ``suggestions`` (nearest known names first).

    The suggestions are worked out when the message is first read, not when the error
    is raised, so code that catches the ``KeyError`` of a miss pays nothing for them.
    """

    def __init__(
        self,
        what: str,
        name: object,
        known: Iterable[str] | Callable[[], Iterable[str]] = (),
        *,
        labels: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
        where: str = "",
    ) -> None:
        super().__init__(name)
        self.what = what
        self.name = name
        self.where = where
        self._known = known
        self._labels = labels

    @cached_property
    def _found(self) -> tuple[tuple[str, ...], str]:
        known = list(self._known() if callable(self._known) else self._known)
        labels = self._labels() if callable(self._labels) else self._labels
        text = str(self.name)
        found = nearest(text, known)
        if labels:
            by_label: dict[str, list[str]] = {}
            for key, label in labels.items():
                if label:
                    by_label.setdefault(label, []).append(key)
            for label in nearest(text, by_label):
                found += [k for k in by_label[label] if k not in found]
        shown = tuple(
            repr(k) + (f" ({labels[k]})" if labels and labels.get(k) else "") for k in found[:3]
        )
        hint = "" if known else "there are none"
        if not shown and 0 < len(known) <= 20:
            hint = "known: " + ", ".join(repr(k) for k in known)
        return shown, hint

    @property
    def suggestions(self) -> tuple[str, ...]:
        """The nearest known names, as the message shows them."""
        return self._found[0]

    @property
    def message(self) -> str:
        shown, hint = self._found
        message = f"no {self.what} {self.name!r}{self.where}"
        if shown:
            return message + "; did you mean " + " or ".join(shown) + "?"
        return message + (f"; {hint}" if hint else "")

    def __str__(self) -> str:  # KeyError would quote the message
        return self.message

    def __repr__(self) -> str:
        return f"UnknownName({self.message!r})"

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restored, (self.what, self.name, self.where, self._found))


def _restored(what: str, name: object, where: str, found: tuple[Any, ...]) -> UnknownName:
    """An unpickled :class:`UnknownName`, its suggestions as they were."""
    error = UnknownName(what, name, where=where)
    error.__dict__["_found"] = found
    return error


#: Past this many known names, only the ones nearest in sorted order are compared
#: (they share the longest beginning with the name), so a miss among 400,000 ids
#: costs a sort, not 400,000 comparisons.
POOL = 2000


def nearest(name: str, known: Iterable[str], n: int = 3) -> list[str]:
    """The known names closest to *name* (case and dash ignored), nearest first."""
    import bisect
    import difflib

    def fold(text: str) -> str:
        return text.casefold().replace("–", "-").replace("—", "-").replace("_", "-")

    by_fold: dict[str, str] = {}
    for k in known:
        by_fold.setdefault(fold(k), k)
    target = fold(name)
    pool = list(by_fold)
    if len(pool) > POOL:
        pool.sort()
        i = bisect.bisect_left(pool, target)
        pool = pool[max(0, i - POOL // 2) : i + POOL // 2]
    hits = difflib.get_close_matches(target, pool, n=n, cutoff=0.6)
    return [by_fold[h] for h in hits]


def unknown_name(
    what: str,
    name: object,
    known: Iterable[str] | Callable[[], Iterable[str]],
    *,
    labels: Mapping[str, str] | Callable[[], Mapping[str, str]] | None = None,
    where: str = "",
) -> UnknownName:
    """The :class:`UnknownName` for *name*, suggesting the nearest of *known* (or of
    what *known* returns, when a function). With *labels* (known name -> a longer name,
    such as an actor's), a name close to a label suggests its known name too:
    ``'india'`` suggests ``'ind' (India)``. *where* follows the name in the message
    (``" in vocabulary 'stances'"``)."""
    return UnknownName(what, name, known, labels=labels, where=where)


__all__ = ["UnknownName", "nearest", "unknown_name"]
