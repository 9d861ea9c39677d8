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


def use(master: str | None) -> None:
    """Run the spark engine on *master* from now on (None: back to the default)."""
    _chosen[:] = [] if master is None else [master]


def master() -> str:
    """The master the engine runs on (see the module docstring)."""
    return (_chosen or [os.environ.get(MASTER_ENV) or DEFAULT_MASTER])[0]


def connect(name: str) -> bool:
    """Whether *name* is a Spark Connect URL (no Java needed here)."""
    return name.startswith("sc://")
