"""XBRL of the czesg reports: the czesg taxonomy (``concepts``, ``taxonomy``), a report's facts
(``facts``), its inline-XBRL rendering (``inline``) and its xBRL-JSON form (``oim``).

Pure Python; no Django.
"""
