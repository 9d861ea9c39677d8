"""The finding codes of layer 3, records against the models, in catalogue order (emitted by
bilat/validation/records.py).

:data:`bilat.findings.CATALOGUE` is these codes after those of the layers above.
"""

from __future__ import annotations

from bilat.codes import Code, entry

CODES: tuple[Code, ...] = (
    entry(
        "record-invalid",
        "records",
        "error",
        "{detail}",
        "Fix the value so the record is a valid model instance.",
    ),
    entry("end-before-start", "records", "error", "{detail}", "Swap or correct the dates."),
)
