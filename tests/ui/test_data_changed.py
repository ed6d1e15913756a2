"""Counters follow committed writes through ``data_events().data_changed`` (no F5, no timer)."""

from __future__ import annotations

import threading

from fupin_desktop.models import Helper
from fupin_desktop.ui.events import data_events
from tests.factories import add_household, add_regions


def test_a_commit_that_writes_is_announced_once_a_read_is_not(main_window, ui_db, qtbot):
    seen: list[str] = []
    data_events().data_changed.connect(seen.append)
    try:
        with ui_db.session() as s:
            s.query(Helper).count()
        assert seen == []
        with qtbot.waitSignal(data_events().data_changed):
            with ui_db.session() as s:
                s.add(Helper(name="王五"))
        assert seen == [ui_db.url]
        try:
            with ui_db.session() as s:
                s.add(Helper(name="赵六"))
                s.flush()
                raise RuntimeError
        except RuntimeError:
            pass
        assert seen == [ui_db.url]  # rolled back: nothing changed
    finally:
        data_events().data_changed.disconnect(seen.append)


def test_handbook_header_counts_follow_a_write_without_f5(main_window, ui_db, qtbot):
    page = main_window.select_page("handbook")
    assert "帮扶责任人 0 人" in page.summary_label.text()
    with ui_db.session() as s:
        s.add(Helper(name="王五"))
    qtbot.waitUntil(lambda: "帮扶责任人 1 人" in page.summary_label.text())


def test_region_tree_counts_follow_a_write_from_another_thread(main_window, ui_db, qtbot):
    page = main_window.select_page("registry")
    assert page.totals() == (0, 0)

    def write():
        with ui_db.session() as s:
            add_regions(s)
            add_household(s)

    worker = threading.Thread(target=write)
    worker.start()
    worker.join()
    qtbot.waitUntil(lambda: page.totals()[0] == 1)
    from fupin_desktop.services import overview

    with ui_db.session() as s:
        counts = overview.registry_counts(s)
    assert page.totals() == (counts.households, counts.members)
