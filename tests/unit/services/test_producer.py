"""services.producer: items generated in another process, and the exact in-process fallback."""

from __future__ import annotations

import os
import sys
import time
from pathlib import Path

import pytest

from fupin_desktop.services.producer import Producer

# The producer process imports the factories below by this module's name.
_HERE = str(Path(__file__).resolve().parent)


@pytest.fixture(autouse=True)
def _importable_here(monkeypatch):
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(filter(None, (_HERE, os.environ.get("PYTHONPATH")))))


def squares(n: int, parent_pid: int, die_after: int | None = None, fail_at: int | None = None):
    """Deterministic items; in the producer process it may die after ``die_after`` items, and
    anywhere it raises at ``fail_at``."""
    for i in range(n):
        if fail_at is not None and i == fail_at:
            raise ValueError(f"bad item {i}")
        if die_after is not None and i == die_after and os.getpid() != parent_pid:
            time.sleep(1)  # let the sending thread hand over what was made so far
            os._exit(3)
        yield i, [(i, i * i, f"行{i}", None)] * 3, os.getpid() == parent_pid


def endless(parent_pid: int):
    i = 0
    while True:
        yield i
        i += 1
        time.sleep(0.01)


def _expected(n: int) -> list:
    return [(i, [(i, i * i, f"行{i}", None)] * 3) for i in range(n)]


def test_items_come_from_the_other_process():
    with Producer(squares) as producer:
        items = list(producer.items(50, os.getpid()))
    assert producer.parallel and producer.received == 50
    assert [item[:2] for item in items] == _expected(50)
    assert not any(in_parent for *_, in_parent in items)


def test_a_producer_that_dies_is_replaced_by_the_rest_generated_here():
    with Producer(squares) as producer:
        items = list(producer.items(40, os.getpid(), 15))
    assert producer.received == 15
    assert [item[:2] for item in items] == _expected(40)
    assert [in_parent for *_, in_parent in items] == [False] * 15 + [True] * 25


def test_a_factory_error_is_raised_here_with_the_items_before_it():
    got = []
    with Producer(squares) as producer, pytest.raises(ValueError, match="bad item 7"):
        for item in producer.items(20, os.getpid(), None, 7):
            got.append(item[:2])
    assert got == _expected(7)


def test_without_a_process_everything_is_generated_here(monkeypatch):
    monkeypatch.setattr(sys, "executable", str(Path("/no/such/python")))
    with Producer(squares) as producer:
        items = list(producer.items(10, os.getpid()))
    assert not producer.parallel and producer.received == 0
    assert [item[:2] for item in items] == _expected(10)
    with Producer(squares, parallel=False) as producer:
        assert [item[:2] for item in producer.items(10, os.getpid())] == _expected(10)
        assert not producer.parallel


def test_closing_stops_the_process_at_once():
    producer = Producer(endless)
    proc = producer._proc
    items = producer.items(os.getpid())
    assert next(items) == 0 and next(items) == 1
    started = time.perf_counter()
    producer.close()
    assert proc.returncode is not None
    assert time.perf_counter() - started < 5


def test_a_frozen_program_starts_itself_as_the_producer(monkeypatch):
    """The bundle has no interpreter to run ``-c``: it runs itself with CHILD_ARG, which
    cli.main hands to the child loop (tests/bundle runs this for real)."""
    import sys

    from fupin_desktop.services import producer as producer_mod

    assert producer_mod._child_command()[1] == "-c"
    monkeypatch.setattr(sys, "frozen", True, raising=False)
    assert producer_mod._child_command() == [sys.executable, producer_mod.CHILD_ARG]
    from fupin_desktop import cli

    started = []
    monkeypatch.setattr(producer_mod, "_child_main", lambda: started.append(True))
    assert cli.main([producer_mod.CHILD_ARG]) == 0
    assert started == [True]
