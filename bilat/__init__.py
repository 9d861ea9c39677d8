"""bilat: typed models and validated data packages for bilateral diplomacy.

>>> from bilat import State, PartialDate
>>> State(id="ind", name="India", iso3="IND", sources=["src-1"]).iso3
'IND'
>>> PartialDate("2024").precision
'year'
"""

from __future__ import annotations

from bilat.models import (
    RECORD_TYPES,
    Actor,
    Agreement,
    Engagement,
    Evidence,
    Indicator,
    Organization,
    PartialDate,
    Person,
    Position,
    Record,
    Source,
    State,
    Statement,
    Tenure,
)

__version__ = "0.1.0"

__all__ = [
    "RECORD_TYPES",
    "Actor",
    "Agreement",
    "Engagement",
    "Evidence",
    "Indicator",
    "Organization",
    "PartialDate",
    "Person",
    "Position",
    "Record",
    "Source",
    "State",
    "Statement",
    "Tenure",
    "__version__",
]
