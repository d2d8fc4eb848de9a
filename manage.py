#!/usr/bin/env python
"""Django's command-line utility for Dune."""

import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # manage.py is the developer's tool: development settings unless told otherwise.
    # Production sets DEBUG=0 (and SECRET_KEY, ALLOWED_HOSTS…) explicitly; its web
    # server starts from config/wsgi.py, which has no such default.
    os.environ.setdefault("DEBUG", "1")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
