"""Matching evidence quotes against the documents they come from.

Seed documents are kept exactly as received, so they may carry escaped quotes
(``\\’``, ``\\”``), curly or straight quote marks and irregular whitespace. Both the
document and the quote are normalised the same way before the quote is looked up;
the stored document is never rewritten.
"""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

_QUOTES = str.maketrans(
    {
        "‘": "'",
        "’": "'",
        "‚": "'",
        "‛": "'",
        "′": "'",
        "“": '"',
        "”": '"',
        "„": '"',
        "‟": '"',
        "″": '"',
        "\u00a0": " ",
    }
)
_ESCAPED_QUOTE = re.compile(r"\\(['\"‘’“”])")
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Normalise *text* for quote matching.

    >>> normalise("Russia\\\\’s  openness,\\n \\\\”We will\\\\”")
    'Russia\\'s openness, "We will"'
    """
    text = _ESCAPED_QUOTE.sub(r"\1", text)
    text = text.translate(_QUOTES)
    return _SPACE.sub(" ", text).strip()


def quote_found(quote: str, document: str) -> bool:
    """True when *quote* appears in *document* after normalising both."""
    return normalise(quote) in normalise(document)


def file_sha256(path: Path) -> str:
    """The SHA-256 hex digest of a file's bytes."""
    digest = hashlib.sha256()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
