"""``python -m hubsim``."""

import sys

from hubsim.cli import main

if __name__ == "__main__":
    sys.exit(main())
