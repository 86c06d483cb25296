"""Subprocess entry for the kill test: `python crawl_main.py --data-dir DIR URL...` runs crawler.run.main."""

from __future__ import annotations

import sys

from crawler.run import main

if __name__ == "__main__":
    sys.exit(main())
