"""Allow ``python -m spatialgreen``."""

from spatialgreen.cli import main

raise SystemExit(main())
