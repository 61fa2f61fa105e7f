"""The bundle's entry point: the same ``emgviewer`` command as the installed console script."""

import sys

from emgviewer.cli import main

if __name__ == "__main__":
    sys.exit(main())
