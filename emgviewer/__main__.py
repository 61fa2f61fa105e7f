"""``python -m emgviewer`` is the same as the ``emgviewer`` command."""

import sys

from emgviewer.cli import main

sys.exit(main())
