"""``python -m models.demo``: see models/demo/cli.py."""

from models.demo.cli import main

raise SystemExit(main())
