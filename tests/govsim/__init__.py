"""gov-sim: the loopback test site with pathologies (docs/TESTPLAN.md section 5)."""
