"""`python -m bench`: build a national-scale data set and time the platform's budgets against raw floors."""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path


def parse() -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--database", default="", help="DATABASE_URL (default: a SQLite file in var/bench/)")
    parser.add_argument("--projects", type=int, default=200_000)
    parser.add_argument("--campaigns", type=int, default=40)
    parser.add_argument("--ledger-rows", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=20, help="runs per measurement (p95 over them)")
    parser.add_argument("--keep", action="store_true",
                        help="reuse the database built by a previous run (built if missing)")
    parser.add_argument("--only", default="", help="comma-separated groups to measure: selectors, pages, dispatch, "
                        "ledger, throughput (default: all of these); or lists alone, on its own database")
    parser.add_argument("--list-sizes", default="1400,200000,1000000",
                        help="lists: the sizes the projects, tickets and leads grow through (the first: demo size)")
    parser.add_argument("--requests", type=int, default=1600, help="throughput: requests per endpoint")
    return parser.parse_args()


def main() -> None:
    args = parse()
    root = Path(__file__).resolve().parent.parent
    data_dir = root / "var" / "bench"
    data_dir.mkdir(parents=True, exist_ok=True)
    os.environ["KAIFAQU_DATA_DIR"] = str(data_dir)
    # The lists group grows its own tables from demo size: by default not in the national data set's file.
    alone = "lists" in args.only.split(",")
    os.environ["DATABASE_URL"] = args.database or f"sqlite:///{data_dir / ('lists' if alone else 'bench')}.sqlite3"
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kaifaqu.settings")
    os.environ.setdefault("KAIFAQU_HTTPS", "0")  # the bench's clients speak plain http
    from .build import prepare_database

    prepare_database(os.environ["DATABASE_URL"], keep=args.keep)
    import django

    django.setup()
    from .measure import run

    sys.exit(run(args))


if __name__ == "__main__":
    main()
