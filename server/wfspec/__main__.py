"""``python -m wfspec``: the same command line as the ``wfspec`` script."""

import sys

from wfspec.cli import main

sys.exit(main())
