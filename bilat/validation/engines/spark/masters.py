"""Which Spark the spark engine runs on: ``--spark MASTER``, else
``$BILAT_SPARK_MASTER``, else ``local[*]``."""

from __future__ import annotations

import os

#: The environment variable that names the master when no ``--spark`` does.
MASTER_ENV = "BILAT_SPARK_MASTER"
#: The master when nothing names one: Spark in this process, a thread per core.
DEFAULT_MASTER = "local[*]"
#: What to install for it.
INSTALL = "pip install 'bilat[spark]'"

_chosen: list[str] = []
#: The master :func:`use` was told had been checked to run (by ``bilat validate``
#: before its first target), so that the engine does not ask again for each target.
_checked: list[str] = []


def without_pandas_warning() -> None:
    """Silence, from here on in this process, pyspark's FutureWarning that it "does not
    yet fully support pandas >= 3.0.0", which pyspark 4.3 prints when the engine starts
    a session (classic or Spark Connect) beside pandas 3: the engine's data goes
    through no pandas (its results come back as rows: pickled from the JVM on a
    classic session, from Arrow through Spark Connect), and ``tests/test_spark.py``
    runs it beside pandas 3. Only that warning is silenced."""
    import warnings

    warnings.filterwarnings(
        "ignore", message="PySpark does not yet fully support pandas", category=FutureWarning
    )


def use(master: str | None, checked: bool = False) -> None:
    """Run the spark engine on *master* from now on (None: back to the default).
    *checked*: the caller has just found that the engine runs there (its ``problem``
    was None), so it is not asked again until the next ``use``."""
    _chosen[:] = [] if master is None else [master]
    _checked[:] = [master] if checked and master is not None else []


def checked(name: str) -> bool:
    """Whether :func:`use` was last told that the engine runs on *name*."""
    return _checked == [name]


def chosen() -> str | None:
    """The master named by :func:`use`, else by ``$BILAT_SPARK_MASTER``; None when
    nothing names one (the engine then takes a running session, or ``local[*]``)."""
    if _chosen:
        return _chosen[0]
    return os.environ.get(MASTER_ENV) or None


def master() -> str:
    """The master the engine runs on (see the module docstring)."""
    return chosen() or DEFAULT_MASTER


def submitted() -> bool:
    """Whether this process runs under ``spark-submit`` (which made its gateway and
    gave it its ``--master``)."""
    return bool(os.environ.get("PYSPARK_GATEWAY_PORT"))


def unreachable(name: str, timeout: float = 5.0) -> str | None:
    """Why the Spark Connect server *name* (``sc://HOST[:PORT][/;params]``) cannot be
    reached, or None when a TCP connection to it opens within *timeout* seconds
    (its client retries a dead address for minutes)."""
    import socket
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(name.split(";", 1)[0])
        host, port = parts.hostname, parts.port or 15002
    except ValueError as exc:
        return f"{shown(name)!r} is not a Spark Connect URL ({exc})"
    if not host:
        return f"{shown(name)!r} names no host"
    try:
        with socket.create_connection((host, port), timeout=timeout):
            return None
    except OSError as exc:
        return f"no Spark Connect server answers at {host}:{port} ({exc.strerror or exc})"


def shown(name: str) -> str:
    """*name* (a Spark Connect URL, or a message quoting one) as messages show it: the
    value of any ``token=`` hidden, up to a ``;``, a quote or a space."""
    import re

    return re.sub(r"(?i)(token=)[^;'\"\s]*", r"\1***", name)


def connect(name: str) -> bool:
    """Whether *name* is a Spark Connect URL (no Java needed here)."""
    return name.startswith("sc://")
