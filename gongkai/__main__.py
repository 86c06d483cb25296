"""`python -m gongkai` is the `gongkai` command."""

from gongkai.cli import main

main()
