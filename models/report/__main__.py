"""``python -m models.report``: see models/report/cli.py."""

from models.report.cli import main

raise SystemExit(main())
