"""`python -m newsledger` runs the command line."""

import sys

from newsledger.cli import main

sys.exit(main())
