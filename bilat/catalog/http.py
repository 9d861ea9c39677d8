"""HTTP with an overall deadline and a byte cap: a server that drips, never stops or
redirects forever cannot hold bilat or fill its memory.

The deadline (``BILAT_HTTP_TIMEOUT`` seconds, default :data:`DEFAULT_TIMEOUT`) covers
the whole transfer, not one read: a server sending one byte every few seconds is cut
off when the deadline passes.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from typing import Any

from bilat.catalog import CatalogError

ENV_TIMEOUT = "BILAT_HTTP_TIMEOUT"
#: Seconds a catalog fetch or a download may take in all.
DEFAULT_TIMEOUT = 300.0
#: Seconds one read may wait for data.
READ_TIMEOUT = 30.0


def deadline_seconds() -> float:
    """``BILAT_HTTP_TIMEOUT`` as seconds, else the default."""
    raw = os.environ.get(ENV_TIMEOUT)
    if not raw:
        return DEFAULT_TIMEOUT
    try:
        value = float(raw)
    except ValueError:
        raise CatalogError(f"{ENV_TIMEOUT}={raw!r} is not a number of seconds") from None
    if not value > 0:
        raise CatalogError(f"{ENV_TIMEOUT}={raw!r} must be a positive number of seconds")
    return value


def _check_response(status: int, headers: Any, *, url: str, what: str, max_bytes: int) -> None:
    """Refuse a response whose status is not 200, whose body the server compressed
    (bilat asks for ``Accept-Encoding: identity`` and reads the bytes as sent), or
    that declares more than *max_bytes*."""
    if status != 200:
        raise CatalogError(f"cannot fetch {what} {url}: HTTP {status}")
    encoding = headers.get("content-encoding", "")
    if any(c.strip().lower() not in ("", "identity") for c in encoding.split(",")):
        shown = encoding if len(encoding) <= 40 else encoding[:40] + "..."
        raise CatalogError(
            f"{what} {url}: the server compressed it (Content-Encoding: {shown}) although "
            "bilat asked for it as it is (Accept-Encoding: identity); bilat checks the bytes "
            "as sent, so it cannot use them: the server must send the file uncompressed"
        )
    declared = headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > max_bytes:
        raise CatalogError(f"{what} {url} is {declared} bytes, more than the {max_bytes} allowed")


def stream(
    url: str,
    take: Callable[[bytes], None],
    *,
    max_bytes: int,
    what: str,
) -> int:
    """GET *url*, handing each chunk to *take*; return the bytes received.

    Fails with :class:`CatalogError` on an HTTP error status, on a body the server
    compressed (a ``Content-Encoding`` other than identity), past *max_bytes*, or when
    the overall deadline passes: while connecting, while the headers arrive (a server
    may drip them a byte at a time), across redirects and while the body arrives. The
    request runs on a thread of its own that hands its chunks over a short queue; this
    thread calls *take* and stops waiting at the deadline, closing the connection,
    which ends the other thread at its next read.
    """
    # long: the worker thread and this one's loop share the deadline, the queue and the stop flag
    import queue
    import threading

    import httpx

    budget = deadline_seconds()
    end = time.monotonic() + budget
    chunks: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=8)
    stop = threading.Event()
    client = httpx.Client(
        timeout=httpx.Timeout(min(READ_TIMEOUT, budget)),
        follow_redirects=True,
        headers={"Accept-Encoding": "identity"},
    )

    def hand(kind: str, value: Any) -> bool:
        """Put (kind, value) on the queue unless told to stop; whether it was put."""
        while not stop.is_set():
            try:
                chunks.put((kind, value), timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def fetch() -> None:
        try:
            with client.stream("GET", url) as response:
                if not hand("response", (response.status_code, response.headers)):
                    return
                for chunk in response.iter_raw():  # as received: a drip meets the deadline
                    if not hand("chunk", chunk):
                        return
            hand("end", None)
        except Exception as exc:  # handed over, raised on the caller's thread
            hand("error", exc)

    def late() -> CatalogError:
        return CatalogError(
            f"{what} {url} took longer than {budget:g} s (set {ENV_TIMEOUT} to allow more); stopped"
        )

    worker = threading.Thread(target=fetch, name="bilat-http", daemon=True)
    worker.start()
    received = 0
    try:
        while True:
            left = end - time.monotonic()
            if left <= 0:
                raise late()
            try:
                kind, value = chunks.get(timeout=left)
            except queue.Empty:
                raise late() from None
            if kind == "end":
                return received
            if kind == "error":
                if isinstance(value, httpx.HTTPError):
                    raise CatalogError(f"cannot fetch {what} {url}: {value}") from None
                raise value
            if kind == "response":
                _check_response(*value, url=url, what=what, max_bytes=max_bytes)
                continue
            received += len(value)
            if received > max_bytes:
                raise CatalogError(
                    f"{what} {url} sent more than the {max_bytes} bytes allowed; stopped"
                )
            take(value)
            if time.monotonic() > end:
                raise late()
    finally:
        stop.set()
        client.close()  # the worker's next read fails; it hands nothing more
