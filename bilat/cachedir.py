"""Where bilat keeps what it downloads and what it remembers between runs."""

from __future__ import annotations

import os
from pathlib import Path

ENV_CACHE = "BILAT_CACHE_DIR"


class CacheDirError(ValueError):
    """``BILAT_CACHE_DIR`` is set but names no folder."""


def cache_root() -> Path:
    """``BILAT_CACHE_DIR``, else the user cache folder for bilat.

    Set but empty, it is an error (:class:`CacheDirError`), not a silent fall back to
    the user cache: unset it to mean the user cache.
    """
    env = os.environ.get(ENV_CACHE)
    if env is not None:
        if not env.strip():
            raise CacheDirError(
                f"{ENV_CACHE} is set but empty: name a folder, or unset it to use the user cache"
            )
        return Path(env)
    import platformdirs

    return Path(platformdirs.user_cache_dir("bilat", appauthor=False))
