"""The finding codes of layer 5, rules across records, in catalogue order (emitted by
bilat/validation/rules.py).

:data:`bilat.findings.CATALOGUE` is these codes after those of the layers above.
"""

from __future__ import annotations

from bilat.codes import Code, entry

CODES: tuple[Code, ...] = (
    entry(
        "statement-outside-engagement",
        "rules",
        "error",
        "{detail}",
        "Check the statement's date and the engagement it names.",
    ),
    entry(
        "agreement-outside-engagement",
        "rules",
        "error",
        "{detail}",
        "Check the signing date and the engagement it names.",
    ),
    entry(
        "sub-engagement-outside-parent",
        "rules",
        "error",
        "{detail}",
        "A part lies within the engagement it is part of: check both sets of dates.",
    ),
    entry(
        "outside-tenure",
        "rules",
        "warning",
        "{detail}",
        "Check the tenure's dates or the capacity named.",
    ),
    entry(
        "vote-count-mismatch",
        "rules",
        "error",
        "the votes recorded disagree with the motion's {field} count: {detail}",
        "Correct the count, the votes, or the motion's roll_call (complete only when "
        "every member's vote is recorded).",
    ),
    entry(
        "vote-duplicate",
        "rules",
        "error",
        "{value!r} has more than one vote on {detail}",
        "Keep one Vote per voter and motion.",
    ),
    entry(
        "position-without-votes",
        "rules",
        "warning",
        "the position's basis is a voting record, but expressed_by lists no vote",
        "List the Votes the position rests on in expressed_by, or change its basis.",
    ),
    entry(
        "position-contradicts-vote",
        "rules",
        "warning",
        "stance {value!r} disagrees with a vote it lists: {detail}",
        "Check the stance and the votes listed (the stance's vote_options in "
        "`bilat vocab stances` say which options agree with it).",
    ),
    entry(
        "claim-invalid",
        "rules",
        "error",
        "the claim cannot be a value of its record: {detail}",
        "Name a field of the record and give a value valid for it, as JSON text "
        '(a string in double quotes: "2000-10-02").',
    ),
    entry(
        "claim-unmatched",
        "rules",
        "error",
        "{value} is resolved, but {detail}",
        "Set the record's value to one of the claims, add the claim that gives it, "
        "or mark the claims open.",
    ),
    entry(
        "claim-open",
        "rules",
        "warning",
        "sources disagree on {value}: the claim is open",
        "Settle the field (set the record's value and mark its claims resolved, with a "
        "rationale) when a source decides it.",
    ),
    entry(
        "capacity-not-acting",
        "rules",
        "error",
        "{detail}",
        "A capacity names the tenure of a person who takes part: check the ids.",
    ),
    entry(
        "quote-not-in-seed",
        "rules",
        "error",
        "quote {value!r} is not found in the seed document {detail}",
        "Copy the quote verbatim from the document.",
    ),
    entry(
        "seed-missing",
        "rules",
        "error",
        "seed document {value!r} was not found",
        "Put the document under seeds/ or fix the source's seed path.",
    ),
    entry(
        "seed-hash-mismatch",
        "rules",
        "error",
        "seed document {value!r} has sha256 {detail}",
        "The stored document changed: restore it, or update seed_sha256 deliberately.",
    ),
)
