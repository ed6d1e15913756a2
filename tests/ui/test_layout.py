"""Nothing a clerk must read is cut off on a 1366×768 office laptop, nor at 1920×1080 with
150 % scaling (1280×720 logical pixels): every page and its tabs, the household window's tabs
and the main dialogs, on a demo county (codes with long labels, long names)."""

from __future__ import annotations

import shutil

import pytest
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QTabWidget,
    QWidget,
)
from sqlalchemy import select

from fupin_desktop.models import Asset, Household, Member, Project
from tests.ui.layout_check import clipped_texts

SIZES = [(1366, 768), (1280, 720)]


@pytest.fixture(scope="module")
def demo_file(tmp_path_factory, sqlite_template):
    from fupin_desktop.db import open_database
    from fupin_desktop.services import demo

    path = tmp_path_factory.mktemp("layout") / "demo.db"
    shutil.copyfile(sqlite_template, path)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("FUPIN_DATA_DIR", str(tmp_path_factory.mktemp("data")))
        db = open_database(path)
        demo.generate(db, households=150, seed=3, parallel=False)
        db.dispose()
    return path


@pytest.fixture
def demo_db(demo_file, tmp_path):
    from fupin_desktop.db import open_database

    path = tmp_path / "demo.db"
    shutil.copyfile(demo_file, path)
    db = open_database(path, user="测试员")
    yield db
    db.dispose()


def _settle() -> None:
    for _ in range(5):
        QApplication.processEvents()


def problems_everywhere(widget: QWidget, label: str) -> list[str]:
    """Problems of ``widget`` with each tab of each of its tab widgets shown in turn."""
    _settle()
    found = [f"{label}: {p}" for p in clipped_texts(widget)]
    for tabs in widget.findChildren(QTabWidget):
        if not tabs.isVisibleTo(widget):
            continue
        for i in range(tabs.count()):
            tabs.setCurrentIndex(i)
            _settle()
            found += [f"{label}/{tabs.tabText(i)}: {p}" for p in clipped_texts(widget)]
        tabs.setCurrentIndex(0)
    return sorted(set(found))


# -- the checker finds what it should ---------------------------------------------------------
def test_checker_finds_cut_labels_buttons_headers_and_cells(qtbot):
    root = QWidget()
    qtbot.addWidget(root)
    label = QLabel("找到 3000 户（只显示前 200 户，请输入更多文字缩小范围）", root)
    label.setGeometry(0, 0, 120, 20)
    button = QPushButton("资产移交…", root)
    button.setGeometry(0, 30, 30, 24)
    table = QTableWidget(1, 2, root)
    table.setGeometry(0, 60, 400, 200)
    table.setHorizontalHeaderLabels(["义务教育阶段未上学原因", "文化程度"])
    table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
    table.setColumnWidth(0, 40)
    table.setColumnWidth(1, 40)
    table.setItem(0, 1, QTableWidgetItem("文盲或半文盲"))
    search = QLineEdit(root)
    search.setPlaceholderText("姓名、拼音首字母、身份证号后几位、户编号或电话")
    search.setGeometry(0, 270, 120, 24)
    root.resize(500, 300)
    root.show()
    found = "\n".join(clipped_texts(root))
    assert "找到 3000 户" in found and "资产移交" in found
    assert "义务教育阶段未上学原因" in found and "文盲或半文盲" in found and "户编号或电话" in found
    # Intended eliding: the whole text as tooltip.
    label.setToolTip(label.text())
    table.item(0, 1).setToolTip("文盲或半文盲")
    table.setColumnWidth(0, 260)
    table.setColumnWidth(1, 80)
    button.setFixedWidth(button.sizeHint().width())
    search.setFixedWidth(400)
    assert clipped_texts(root) == []


# -- the program ------------------------------------------------------------------------------
@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_every_page_fits(make_main_window, demo_db, size):
    window = make_main_window(demo_db)
    window.resize(*size)
    problems = []
    for key in window.page_keys():
        window.select_page(key)
        problems += problems_everywhere(window, key)
    assert problems == []


def _households_with_long_codes(db) -> list[int]:
    """A household with a member who left (「减少（死亡 …）」) and one with the longest
    education label present."""
    with db.session() as s:
        left = s.scalar(select(Member.household_id).where(Member.status != "01").limit(1))
        first = s.scalar(select(Household.id).order_by(Household.id).limit(1))
    return [i for i in (left, first) if i is not None]


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_household_window_fits(qtbot, demo_db, size):
    from fupin_desktop.ui.registry.editor import HouseholdWindow

    ids = _households_with_long_codes(demo_db)
    assert len(ids) == 2
    texts = []
    for household_id in ids:
        window = HouseholdWindow(demo_db, household_id)  # deletes itself on close
        window.resize(*size)
        window.show()
        qtbot.waitExposed(window)
        assert problems_everywhere(window, f"household {household_id}") == []
        members = window.member_model
        texts += [members.index(r, 0).data() for r in range(members.rowCount())]
        window.close()
    assert any(t.startswith("减少（") for t in texts)


def _dialogs(db, parent):
    from fupin_desktop.services import registry as rsvc
    from fupin_desktop.ui.assets.dialog import AssetDialog
    from fupin_desktop.ui.assets.neglect import NeglectDialog
    from fupin_desktop.ui.projects.dialog import ProjectDialog
    from fupin_desktop.ui.projects.handover import HandoverDialog
    from fupin_desktop.ui.projects.transition import TransitionDialog
    from fupin_desktop.ui.regions.setup import CountySetupDialog
    from fupin_desktop.ui.registry import dialogs as rd

    with db.session() as s:
        household = rsvc.load_household(s, s.scalar(select(Household.id).limit(1)))
        roots = rsvc.region_tree(s)
        project = s.scalar(select(Project.id).limit(1))
        asset = s.scalar(select(Asset.id).limit(1))
    yield "新建项目", ProjectDialog(db, None, parent)
    yield "项目详情", ProjectDialog(db, project, parent)
    yield "办理流转", TransitionDialog(db, project, parent)
    yield "资产移交", HandoverDialog(db, project, parent)
    yield "新增资产", AssetDialog(db, None, parent)
    yield "资产", AssetDialog(db, asset, parent)
    yield "闲置/失管清单", NeglectDialog(db, None, parent)
    yield "区划设置", CountySetupDialog(db, parent)
    yield "新识别户", rd.NewHouseholdDialog(db, roots, None, None, parent)
    for cls in (rd.AddMemberDialog, rd.RemoveMemberDialog, rd.CloseHouseholdDialog, rd.ExitDialog,
                rd.ReturnDialog, rd.StartMonitoringDialog, rd.EliminateRiskDialog, rd.SplitDialog,
                rd.MergeDialog):
        yield cls.title, cls(db, household, parent)


def test_main_dialogs_fit_and_fit_the_screen(make_main_window, demo_db):
    window = make_main_window(demo_db)
    problems = []
    for name, dialog in _dialogs(demo_db, window):
        assert isinstance(dialog, QDialog)
        dialog.show()
        # Opened at its own size, it fits a 1280×720 (1920×1080 at 150 %) screen.
        hint = dialog.minimumSizeHint()
        assert hint.width() <= 1280 and hint.height() <= 720, (name, hint)
        problems += problems_everywhere(dialog, name)
        dialog.close()
        dialog.deleteLater()
    window.show_region_settings()
    problems += problems_everywhere(window._region_settings, "区划设置")
    window._region_settings.close()
    assert problems == []


def test_members_grid_code_columns_are_as_wide_as_their_longest_label(qtbot, demo_db):
    from fupin_desktop.ui.registry.editor import HouseholdWindow
    from fupin_desktop.ui.widgets.columns import code_label_width

    window = HouseholdWindow(demo_db, _households_with_long_codes(demo_db)[1])
    view, model = window.member_view, window.member_model
    checked = 0
    for column in range(model.columnCount()):
        spec = model.spec(column)
        if spec is not None and spec.kind == "code" and spec.codes:
            assert view.columnWidth(column) >= code_label_width(view, spec.codes), spec.name
            checked += 1
    assert checked >= 8
    window.close()
