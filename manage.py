#!/usr/bin/env python
"""Django's manage.py; the installed ``certwright`` command (certwright/cli.py) is the
same thing under the project's name."""

import sys

from certwright.cli import main

if __name__ == "__main__":
    main(sys.argv)
