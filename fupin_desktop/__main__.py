from fupin_desktop.cli import main

raise SystemExit(main())
