"""Print preview of the very PDF that will be printed, printing to a printer, saving as PDF.

Any area that makes a PDF (project forms, asset cards …) shows it with::

    from fupin_desktop.ui.printing import PdfPreviewDialog

    dialog = PdfPreviewDialog(pdf_path, parent, title="扶贫手册 — 张三", save_name="张三_扶贫手册.pdf")
    dialog.exec()          # or dialog.open() for a non-blocking window

``PdfPreviewDialog(path, parent=None, *, title="打印预览", save_name=None, delete_on_close=False)``:

- ``path``: the PDF file (it is read, never changed);
- ``save_name``: the file name 另存为 suggests (default: the file's own name);
- ``delete_on_close``: remove ``path`` when the dialog closes (for temporary files).

The dialog shows every page (rendered with PDFium when it scrolls into view, so a 2 000-page
batch opens at once), zooms (适合宽度, 放大, 缩小, Ctrl+wheel), prints (the system print
dialog: printer, copies, page range) and saves a copy (另存为 PDF). Pages are printed as images
rendered at the printer's resolution (at most 300 dpi), so what prints is what was
previewed. :func:`print_pdf` does the printing without the dialog.

Two helpers cover what a page usually does: :func:`show_pdf` opens the dialog on a PDF that
exists (and deletes it when the dialog closes), and :func:`print_and_preview` runs the PDF job
in the background (progress, 取消) and then shows the result::

    print_and_preview(page, "资产台账", lambda path, progress, cancel: render(path), save_name="台账.pdf")

The QPrinter is kept on the dialog (``self.printer``): a temporary QPrinter given to a Qt
print dialog crashes (TECH-NOTES).
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections import OrderedDict
from collections.abc import Callable
from pathlib import Path

import pypdfium2 as pdfium
from PySide6.QtCore import QRect, QSize, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QKeySequence, QPainter, QShortcut, QWheelEvent
from PySide6.QtPrintSupport import QPrintDialog, QPrinter
from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QMessageBox,
    QPushButton,
    QScrollArea,
    QVBoxLayout,
    QWidget,
)

log = logging.getLogger(__name__)

SCREEN_DPI = 96
MAX_PRINT_DPI = 300
CACHE_PAGES = 24


def render_page(doc: pdfium.PdfDocument, index: int, dpi: float) -> QImage:
    """Page ``index`` (0-based) of ``doc`` as an RGB image at ``dpi``."""
    page = doc[index]
    try:
        bitmap = page.render(scale=dpi / 72, rev_byteorder=True)
        image = QImage(bitmap.buffer, bitmap.width, bitmap.height, bitmap.stride,
                       QImage.Format.Format_RGB888)
        return image.copy()  # detach from PDFium's buffer
    finally:
        page.close()


def print_pdf(path: str | Path, printer: QPrinter, *,
              progress: Callable[[int, int], None] | None = None,
              cancelled: Callable[[], bool] | None = None) -> int:
    """Print the PDF's pages (the printer's page range, copies) on ``printer``; returns the
    number of pages sent. Each page is scaled to the paper keeping its proportions."""
    doc = pdfium.PdfDocument(str(path))
    try:
        count = len(doc)
        first, last = 1, count
        if printer.printRange() == QPrinter.PrintRange.PageRange and printer.fromPage() > 0:
            first = max(1, printer.fromPage())
            last = min(count, printer.toPage() or count)
        pages = list(range(first - 1, last))
        copies = 1
        if not printer.supportsMultipleCopies():
            copies = max(1, printer.copyCount())
        sequence = [p for _ in range(copies) for p in pages]
        if not sequence:
            return 0
        printer.setFullPage(True)
        dpi = min(MAX_PRINT_DPI, printer.resolution())
        painter = QPainter()
        if not painter.begin(printer):
            raise OSError("无法开始打印：打印机不可用或被其他程序占用。")
        sent = 0
        try:
            for n, index in enumerate(sequence):
                if cancelled is not None and cancelled():
                    break
                if n:
                    printer.newPage()
                image = render_page(doc, index, dpi)
                target = painter.viewport()
                size = image.size().scaled(target.size(), Qt.AspectRatioMode.KeepAspectRatio)
                x = target.x() + (target.width() - size.width()) // 2
                y = target.y() + (target.height() - size.height()) // 2
                painter.drawImage(QRect(x, y, size.width(), size.height()), image)
                sent += 1
                if progress is not None:
                    progress(sent, len(sequence))
        finally:
            painter.end()
        return sent
    finally:
        doc.close()


class _PageView(QWidget):
    """One page: a white sheet of the page's size at the zoom; painted from the cache."""

    def __init__(self, owner: PdfPreviewDialog, index: int, points: tuple[float, float]):
        super().__init__()
        self._owner = owner
        self.index = index
        self.points = points
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent)

    def set_zoom(self, zoom: float) -> None:
        w, h = self.points
        self.setFixedSize(QSize(int(w / 72 * SCREEN_DPI * zoom), int(h / 72 * SCREEN_DPI * zoom)))

    def paintEvent(self, event) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.fillRect(self.rect(), QColor("white"))
        image = self._owner.page_image(self.index)
        if image is not None:
            painter.drawImage(self.rect(), image)
        painter.setPen(QColor("#9aa5b5"))
        painter.drawRect(self.rect().adjusted(0, 0, -1, -1))
        painter.end()


class _Pages(QScrollArea):
    def __init__(self, owner: PdfPreviewDialog):
        super().__init__()
        self._owner = owner

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            self._owner.zoom_by(1.15 if event.angleDelta().y() > 0 else 1 / 1.15)
            event.accept()
        else:
            super().wheelEvent(event)


class PdfPreviewDialog(QDialog):
    """See the module docstring."""

    def __init__(self, path: str | Path, parent: QWidget | None = None, *, title: str = "打印预览",
                 save_name: str | None = None, delete_on_close: bool = False):
        super().__init__(parent)
        self.path = Path(path)
        self.save_name = save_name or self.path.name
        self._delete_on_close = delete_on_close
        self.setWindowTitle(title)
        self.setWindowFlag(Qt.WindowType.WindowMaximizeButtonHint, True)
        self.resize(900, 760)
        self.printer = QPrinter(QPrinter.PrinterMode.HighResolution)
        self._doc = pdfium.PdfDocument(str(self.path))
        self._cache: OrderedDict[tuple[int, int], QImage] = OrderedDict()
        self.zoom = 1.0
        self._fit_width = True

        self.print_button = QPushButton("打印(&P)…")
        self.print_button.setDefault(True)
        self.print_button.clicked.connect(self.print_document)
        self.save_button = QPushButton("另存为 PDF(&S)…")
        self.save_button.clicked.connect(self.save_as)
        self.fit_button = QPushButton("适合宽度")
        self.fit_button.clicked.connect(self.fit_width)
        zoom_in = QPushButton("放大")
        zoom_in.clicked.connect(lambda: self.zoom_by(1.25))
        zoom_out = QPushButton("缩小")
        zoom_out.clicked.connect(lambda: self.zoom_by(0.8))
        self.page_label = QLabel()
        close = QPushButton("关闭")
        close.clicked.connect(self.reject)

        bar = QHBoxLayout()
        for w in (self.print_button, self.save_button, self.fit_button, zoom_out, zoom_in):
            bar.addWidget(w)
        bar.addStretch(1)
        bar.addWidget(self.page_label)
        bar.addSpacing(12)
        bar.addWidget(close)

        self._container = QWidget()
        self._container.setObjectName("previewPages")
        self._container.setStyleSheet("#previewPages { background: #6b7280; }")
        column = QVBoxLayout(self._container)
        column.setContentsMargins(16, 16, 16, 16)
        column.setSpacing(14)
        column.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        self.pages: list[_PageView] = []
        for i in range(len(self._doc)):
            w, h = self._doc.get_page_size(i)
            view = _PageView(self, i, (w, h))
            self.pages.append(view)
            column.addWidget(view, 0, Qt.AlignmentFlag.AlignHCenter)
        self.scroll = _Pages(self)
        self.scroll.setWidget(self._container)
        self.scroll.setWidgetResizable(True)
        self.scroll.verticalScrollBar().valueChanged.connect(self._update_page_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addLayout(bar)
        layout.addWidget(self.scroll, 1)
        QShortcut(QKeySequence.StandardKey.Print, self, activated=self.print_document)
        QShortcut(QKeySequence.StandardKey.ZoomIn, self, activated=lambda: self.zoom_by(1.25))
        QShortcut(QKeySequence.StandardKey.ZoomOut, self, activated=lambda: self.zoom_by(0.8))
        self._apply_zoom()
        QTimer.singleShot(0, self.fit_width)

    # -- pages and zoom ------------------------------------------------------------------------
    @property
    def page_count(self) -> int:
        return len(self.pages)

    def page_image(self, index: int) -> QImage | None:
        """The rendered page at the current zoom (rendered now if not cached)."""
        if self._doc is None:
            return None
        key = (index, int(self.zoom * 1000))
        image = self._cache.get(key)
        if image is None:
            try:
                image = render_page(self._doc, index, SCREEN_DPI * self.zoom * self.devicePixelRatioF())
            except Exception:  # noqa: BLE001 - a broken page must not take the dialog down
                log.exception("could not render page %s of %s", index, self.path)
                return None
            self._cache[key] = image
            while len(self._cache) > CACHE_PAGES:
                self._cache.popitem(last=False)
        else:
            self._cache.move_to_end(key)
        return image

    def fit_width(self) -> None:
        if not self.pages:
            return
        available = self.scroll.viewport().width() - 40
        width_in = self.pages[0].points[0] / 72 * SCREEN_DPI
        self._fit_width = True
        self._set_zoom(max(0.2, min(4.0, available / width_in)))

    def zoom_by(self, factor: float) -> None:
        self._fit_width = False
        self._set_zoom(max(0.2, min(4.0, self.zoom * factor)))

    def _set_zoom(self, zoom: float) -> None:
        if abs(zoom - self.zoom) < 0.001:
            return
        self.zoom = zoom
        self._cache.clear()
        self._apply_zoom()

    def _apply_zoom(self) -> None:
        for view in self.pages:
            view.set_zoom(self.zoom)
        self._update_page_label()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self._fit_width:
            QTimer.singleShot(0, self.fit_width)

    def current_page(self) -> int:
        """1-based number of the page at the top of the view."""
        y = self.scroll.verticalScrollBar().value()
        for view in self.pages:
            if view.y() + view.height() > y:
                return view.index + 1
        return self.page_count

    def _update_page_label(self) -> None:
        self.page_label.setText(f"第 {self.current_page()} 页 / 共 {self.page_count} 页"
                                f"    {round(self.zoom * 100)}%")

    # -- actions -----------------------------------------------------------------------------
    def print_document(self) -> None:
        dialog = QPrintDialog(self.printer, self)
        dialog.setWindowTitle("打印")
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintPageRange, True)
        dialog.setOption(QPrintDialog.PrintDialogOption.PrintCurrentPage, False)
        dialog.setMinMax(1, max(1, self.page_count))
        if dialog.exec() != QDialog.DialogCode.Accepted:
            return
        self.run_print()

    def run_print(self) -> int:
        """Print with the settings already on ``self.printer`` (a progress window for long
        jobs, 取消 stops after the current page)."""
        from fupin_desktop.ui.operations import ProgressDialog

        progress = ProgressDialog(self, "打印", "正在发送到打印机…", cancellable=True)
        stop = {"flag": False}
        progress.cancel_requested.connect(lambda: stop.update(flag=True))
        progress.show()

        def report(done: int, total: int) -> None:
            progress.set_progress(done, total, f"正在打印第 {done} 页，共 {total} 页…")
            QApplication.processEvents()

        QApplication.setOverrideCursor(Qt.CursorShape.WaitCursor)
        try:
            return print_pdf(self.path, self.printer, progress=report, cancelled=lambda: stop["flag"])
        except OSError as err:
            QMessageBox.warning(self, "打印", str(err))
            return 0
        finally:
            QApplication.restoreOverrideCursor()
            progress.hide()
            progress.deleteLater()

    def save_as(self) -> Path | None:
        target, _ = QFileDialog.getSaveFileName(self, "另存为 PDF", self.save_name, "PDF 文件 (*.pdf)")
        if not target:
            return None
        path = Path(target)
        if path.suffix.lower() != ".pdf":
            path = path.with_suffix(".pdf")
        try:
            shutil.copyfile(self.path, path)
        except OSError as err:
            QMessageBox.warning(self, "另存为 PDF", f"无法保存到 {path}：{err.strerror or err}。"
                                "请检查文件是否在其他程序中打开，或换一个位置。")
            return None
        return path

    def done(self, result: int) -> None:  # noqa: D401 - Qt override
        self._cache.clear()
        if self._doc is not None:
            self._doc.close()
            self._doc = None  # type: ignore[assignment]
        if self._delete_on_close:
            self.path.unlink(missing_ok=True)
        super().done(result)


def show_pdf(path: str | Path, parent: QWidget | None, *, title: str, save_name: str | None = None,
             delete_on_close: bool = True) -> PdfPreviewDialog:
    """Open the preview dialog on ``path`` (window-modal, deleted with its file when closed)."""
    dialog = PdfPreviewDialog(path, parent, title=title, save_name=save_name,
                              delete_on_close=delete_on_close)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.open()
    return dialog


def temporary_pdf() -> Path:
    """A new empty temporary .pdf file for a print job to write."""
    fd, name = tempfile.mkstemp(prefix="fupin-", suffix=".pdf")
    os.close(fd)
    return Path(name)


def print_and_preview(parent: QWidget, title: str, job: Callable[[Path, Callable, Callable], object],
                      *, save_name: str, cancellable: bool = True):
    """Run ``job(pdf_path, progress, cancel)`` off the GUI thread (progress window, 取消),
    then preview the PDF; the temporary file goes when the preview closes, or at once when
    the job fails or is cancelled. Returns the started ``BackgroundOp``."""
    from fupin_desktop.ui.operations import BackgroundOp

    path = temporary_pdf()
    op = BackgroundOp(parent, lambda progress, cancel: job(path, progress, cancel),
                      title=title, label="正在生成 PDF…", cancellable=cancellable)
    op.success(lambda _result: show_pdf(path, parent, title=title, save_name=save_name))
    op.on_cancelled(lambda: path.unlink(missing_ok=True))
    op.failed.connect(lambda _exc: path.unlink(missing_ok=True))
    return op.start()
