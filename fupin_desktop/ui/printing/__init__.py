"""Printing in the app: :class:`PdfPreviewDialog` (preview, print, save as PDF) for any PDF
the services make, :func:`show_pdf` / :func:`print_and_preview` to open it from a page, and
:func:`print_pdf` to print one without the dialog."""

from fupin_desktop.ui.printing.preview import (
    PdfPreviewDialog,
    print_and_preview,
    print_pdf,
    render_page,
    show_pdf,
    temporary_pdf,
)

__all__ = ["PdfPreviewDialog", "print_and_preview", "print_pdf", "render_page", "show_pdf",
           "temporary_pdf"]
