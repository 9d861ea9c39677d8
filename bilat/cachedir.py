"""Where bilat keeps what it downloads and what it remembers between runs."""

from __future__ import annotations

import os
from pathlib import Path

ENV_CACHE = "BILAT_CACHE_DIR"


def cache_root() -> Path:
    """``BILAT_CACHE_DIR``, else the user cache folder for bilat."""
    env = os.environ.get(ENV_CACHE)
    if env:
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("bilat", appauthor=False))
