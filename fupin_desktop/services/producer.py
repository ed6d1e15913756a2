"""Run a deterministic row generator in a second process while this one writes the rows.

A large Core load is two jobs of about one core each: Python building the rows and the
database storing them. ``Producer(factory)`` starts a second Python process (it imports
while the caller prepares its transaction); ``items(*args)`` then sends it the arguments and
yields, here, what ``factory(*args)`` yields there, pickled through its standard output. The
other process runs at most ``_AHEAD`` items ahead, so memory stays bounded.

The process is a fresh interpreter (``python -c`` with this module's bootstrap, not
``multiprocessing``): it shares no locks, threads or connections with this one, does not
re-run the caller's main script, and starts the same way on Windows and Linux. The factory
must be a module-level generator function with picklable arguments and items, and it must be
deterministic: the same arguments give the same items. That makes the fallback exact: if the
process cannot start or stops before the end, the items still missing come from
``factory(*args)`` run in this process, the ones already received skipped, so the caller
always gets the complete, identical sequence, and a bug in the factory surfaces here with its
real traceback. Closing the producer (leaving the ``with`` block, e.g. when the user cancels)
kills the process at once.
"""

from __future__ import annotations

import gc
import logging
import os
import pickle
import queue
import struct
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, BinaryIO

__all__ = ["Producer"]

log = logging.getLogger(__name__)

_HEADER = struct.Struct("<Q")  # length of the pickled item that follows; 0 = no more items
_AHEAD = 16  # items the other process may have made and not yet handed over
_BOOTSTRAP = "from fupin_desktop.services.producer import _child_main; _child_main()"
# A frozen (PyInstaller) program is not an interpreter that could run the bootstrap: it is
# started again with this single argument, which ``fupin_desktop.cli.main`` hands to
# ``_child_main`` before anything else.
CHILD_ARG = "--producer-child"


def _child_command() -> list[str]:
    if getattr(sys, "frozen", False):
        return [sys.executable, CHILD_ARG]
    return [sys.executable, "-c", _BOOTSTRAP]


def _child_main() -> None:
    """The other process: read ``(factory, args)`` from stdin, write the items to stdout.

    A thread writes while the factory goes on, up to ``_AHEAD`` items ahead of the parent:
    when the parent is busy for a while (rebuilding indexes, say), the next items are ready."""
    try:
        # File descriptors, not sys.stdin/sys.stdout: those are None under pythonw.exe.
        source = os.fdopen(0, "rb")
        out = os.fdopen(os.dup(1), "wb")
        # The item stream owns the real stdout; anything the code prints goes to stderr.
        os.dup2(2 if sys.stderr is not None else os.open(os.devnull, os.O_WRONLY), 1)
        sys.stdout = sys.stderr
        # A short-lived process building millions of rows without reference cycles: the
        # cyclic collector would only keep re-scanning them (8 % of the demo's time).
        gc.disable()
        factory, args = pickle.load(source)
        pending: queue.Queue[bytes | None] = queue.Queue(maxsize=_AHEAD)
        sender = threading.Thread(target=_send, args=(pending, out), daemon=True)
        sender.start()
        dumps, protocol = pickle.dumps, pickle.HIGHEST_PROTOCOL
        for item in factory(*args):
            pending.put(dumps(item, protocol))
        pending.put(None)
        sender.join()
    except BaseException:  # noqa: BLE001
        # Interrupted, or the factory failed: stop quietly. The parent notices the missing
        # end and produces the rest itself, where a factory error is raised with its
        # traceback.
        os._exit(1)


def _send(pending: queue.Queue[bytes | None], out: BinaryIO) -> None:
    header = _HEADER.pack
    try:
        while (data := pending.get()) is not None:
            out.write(header(len(data)))
            out.write(data)
            out.flush()
        out.write(header(0))
        out.flush()
    except BaseException:  # noqa: BLE001 - the parent is gone (broken pipe): stop everything
        os._exit(1)


def _read_exact(stream: BinaryIO, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        raise EOFError(f"producer output ended after {len(data)} of {size} bytes")
    return data


class Producer:
    """``factory(*args)``'s items, generated in another process when ``parallel``.

    Use as a context manager; ``items(*args)`` may be called once. ``parallel`` tells
    afterwards whether a process was used; ``received`` how many items came from it."""

    def __init__(self, factory: Callable[..., Iterator[Any]], *, parallel: bool = True) -> None:
        self.factory = factory
        self.parallel = False
        self.received = 0
        self._proc: subprocess.Popen | None = None
        if parallel:
            self._start()

    def _start(self) -> None:
        package_root = str(Path(__file__).resolve().parents[2])
        env = dict(os.environ)
        env["PYTHONPATH"] = os.pathsep.join(
            p for p in (package_root, env.get("PYTHONPATH")) if p
        )
        flags = getattr(subprocess, "CREATE_NO_WINDOW", 0)  # no console window on Windows
        try:
            self._proc = subprocess.Popen(
                _child_command(),
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                stderr=None if sys.stderr is not None else subprocess.DEVNULL,
                env=env,
                creationflags=flags,
            )
        except Exception as err:  # noqa: BLE001 - no interpreter to start: produce here
            log.warning("could not start a producer process (%s); generating in this process", err)
            return
        self.parallel = True

    def items(self, *args: Any) -> Iterator[Any]:
        proc = self._proc
        if proc is not None:
            try:
                pickle.dump((self.factory, args), proc.stdin, pickle.HIGHEST_PROTOCOL)
                proc.stdin.close()
                stream = proc.stdout
                while True:
                    (size,) = _HEADER.unpack(_read_exact(stream, _HEADER.size))
                    if size == 0:
                        self._finish()
                        return
                    item = pickle.loads(_read_exact(stream, size))
                    self.received += 1
                    yield item
            except (EOFError, OSError) as err:
                log.warning(
                    "producer process stopped after %d items (%s); generating the rest here",
                    self.received, err,
                )
            self.close()
        for i, item in enumerate(self.factory(*args)):
            if i >= self.received:
                yield item

    def _finish(self) -> None:
        proc, self._proc = self._proc, None
        if proc is not None:
            proc.stdout.close()
            try:
                proc.wait(timeout=10)  # it is exiting on its own
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()

    def close(self) -> None:
        """Stop the process at once if it is still running and release it."""
        proc, self._proc = self._proc, None
        if proc is None:
            return
        if proc.poll() is None:
            proc.kill()
        for stream in (proc.stdin, proc.stdout):
            try:
                stream.close()
            except OSError:
                pass
        proc.wait()

    def __enter__(self) -> Producer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()
