"""Controlled vocabularies: engagement types, stances, topics, ... loaded from data files.

Each vocabulary is a JSON file in ``bilat/vocab/data/``. Every term has a code, a
label, a one-sentence definition and, where one fits, its CAMEO code and PLOVER
event type, mode and context, so bilat records can be joined with event data sets.
Files are read on first use and cached; nothing is loaded at import time.

>>> vocabulary("statuses").codes()
('held', 'planned', 'proposed', 'cancelled')
>>> vocabulary("engagement_types")["phone_call"].plover_mode
'phone'
"""

from __future__ import annotations

import json
from functools import cache
from importlib import resources
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

from bilat.codelist import CodeList

__all__ = ["VOCABULARIES", "Term", "Vocab", "Vocabulary", "vocabulary"]

#: The vocabularies bilat ships, by name (the file name without ``.json``).
VOCABULARIES = (
    "engagement_types",
    "agreement_types",
    "stances",
    "position_bases",
    "statuses",
    "office_roles",
    "topics",
    "source_types",
    "organization_types",
    "trade_flows",
    "directions",
)


class Term(BaseModel):
    """One term of a vocabulary."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    code: Annotated[str, StringConstraints(pattern=r"^[a-z][a-z0-9_]*$")]
    label: str
    definition: str
    cameo: Annotated[str | None, Field(pattern=r"^[0-9]{2,4}$")] = None
    plover_event: str | None = None
    plover_mode: str | None = None
    plover_context: str | None = None
    note: str | None = None


class Vocabulary(BaseModel):
    """A named list of terms, with where its codes come from."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str
    title: str
    description: str
    sources: list[dict[str, str]] = []
    terms: list[Term]

    def codes(self) -> tuple[str, ...]:
        """The term codes, in file order."""
        return tuple(t.code for t in self.terms)

    def __contains__(self, code: object) -> bool:
        return code in _code_set(self.name)

    def __getitem__(self, code: str) -> Term:
        for t in self.terms:
            if t.code == code:
                return t
        raise KeyError(f"{code!r} is not a term of vocabulary {self.name!r}")


@cache
def vocabulary(name: str) -> Vocabulary:
    """Load the vocabulary *name* from the package data (cached)."""
    if name not in VOCABULARIES:
        raise KeyError(f"no vocabulary {name!r}; known: {', '.join(VOCABULARIES)}")
    text = resources.files(__package__).joinpath("data").joinpath(f"{name}.json").read_text("utf-8")
    vocab = Vocabulary.model_validate(json.loads(text))
    codes = vocab.codes()
    if len(set(codes)) != len(codes):
        raise ValueError(f"vocabulary {name!r} repeats a code")
    return vocab


@cache
def _code_set(name: str) -> frozenset[str]:
    return frozenset(vocabulary(name).codes())


class Vocab(CodeList):
    """Pydantic annotation: the value must be a code of the named vocabulary."""

    def __init__(self, name: str) -> None:
        if name not in VOCABULARIES:
            raise KeyError(f"no vocabulary {name!r}")
        self.name = name

    def allowed(self) -> frozenset[str]:
        return _code_set(self.name)

    def ordered(self) -> tuple[str, ...]:
        return vocabulary(self.name).codes()

    def refuse(self, value: str) -> PydanticCustomError:
        return PydanticCustomError(
            "vocabulary",
            "is not a term of the {name} vocabulary (allowed: {allowed})",
            {"value": value, "name": self.name, "allowed": ", ".join(self.ordered())},
        )

    def schema_extra(self) -> dict[str, Any]:
        return {"x-vocabulary": self.name}
