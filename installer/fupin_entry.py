"""Entry point of the frozen program (PyInstaller runs this file as ``__main__``)."""

import multiprocessing
import sys

from fupin_desktop.cli import main

if __name__ == "__main__":
    # A no-op unless a library starts a multiprocessing child of the frozen program; the
    # demo's own second process is started by fupin_desktop.services.producer.
    multiprocessing.freeze_support()
    sys.exit(main())
