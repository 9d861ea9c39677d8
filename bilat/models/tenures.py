"""Tenures: a person holding an office for a period."""

from __future__ import annotations

from typing import Annotated, ClassVar

from bilat.models.base import RecordRule, SourcedRecord, period
from bilat.models.dates import PartialDate
from bilat.models.types import Name, RecordId, RefTo
from bilat.vocab import Vocab


class Tenure(SourcedRecord):
    """A person holding an office of a state or organization from ``start`` to ``end``.

    An open ``end`` means the tenure was ongoing when the sources were read.
    """

    KIND: ClassVar[str] = "tenure"

    person: Annotated[RecordId, RefTo("person")]
    """Id of the Person holding the office."""
    office: Name
    """The office's title as the holder's government styles it, e.g. 'Minister of External Affairs'."""
    role: Annotated[str, Vocab("office_roles")]
    """The kind of office (vocabulary ``office_roles``)."""
    of: Annotated[RecordId, RefTo("state", "organization")]
    """Id of the State or Organization whose office it is."""
    start: PartialDate | None = None
    end: PartialDate | None = None

    RULES: ClassVar[tuple[RecordRule, ...]] = (period("start", "end", "tenure"),)
