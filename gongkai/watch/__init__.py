"""Keeping watch (issue 15): watched sources, the scheduler, saved searches and their alerts.

Part of the composition root: it wires the crawler, the archive and the index together on a schedule. Its own
state (schedule, runs, alerts, the outbox of messages) lives in `watch.sqlite` in the data dir, never in the
catalogue: the archive stays the truth about documents, this file only says what was done about them.
"""
