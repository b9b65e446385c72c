#!/usr/bin/env python
"""Django's manage.py, same as the `kaifaqu` console command."""

from kaifaqu.cli import main

if __name__ == "__main__":
    main()
