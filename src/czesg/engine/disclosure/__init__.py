"""An enterprise's disclosure: its values, the rules they must meet, and the files that carry them.

* :mod:`.values`: checking and converting one entered value to its indicator's canonical unit;
* :mod:`.answers`: the answers of a disclosure and the findings about them;
* :mod:`.validation`: the rules a set of answers must meet before submission;
* :mod:`.workbook`: the Excel and CSV templates, written and read back;
* :mod:`.bulk`: the long format (one row per enterprise, year and indicator) for bulk loads;
* :mod:`.diff`: what changed between two versions;
* :mod:`.evidence`: the accepted evidence file types.

Modules are imported by their own path (``from czesg.engine.disclosure.validation import validate``).
"""
