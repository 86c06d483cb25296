"""Fixture servers for the list sources of issue 18 (gkmlpt, Hanweb xxgk, JPaaS, TRS WAS5, gov.cn library).

Each answers like the real platform (docs/SITES.md 3.2-3.6), traps included, over a generated catalogue whose truth
the tests know. Text is generated here (no copied documents).
"""
