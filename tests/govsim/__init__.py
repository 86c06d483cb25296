"""gov-sim: the loopback test site with pathologies (TESTPLAN.md section 5)."""
