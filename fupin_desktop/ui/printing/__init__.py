"""Printing in the app: :class:`PdfPreviewDialog` (preview, print, save as PDF) for any PDF
the services make, and :func:`print_pdf` to print one without the dialog."""

from fupin_desktop.ui.printing.preview import PdfPreviewDialog, print_pdf, render_page

__all__ = ["PdfPreviewDialog", "print_pdf", "render_page"]
