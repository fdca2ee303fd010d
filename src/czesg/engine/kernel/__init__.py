"""The engine's kernel: what every domain package of the engine builds on.

* :mod:`.errors`: the one hierarchy of domain refusals (:class:`~.errors.CzesgError` and its kinds);
* :mod:`.problems`: a problem found in what a user gave, with its location
  (:class:`~.problems.Problem`);
* :mod:`.units`: the pint unit registry, canonical units and conversions;
* :mod:`.identifiers`: unified social credit codes (USCC), checked and generated;
* :mod:`.bilingual`: names kept in Simplified Chinese and English;
* :mod:`.provenance`: the ``source``/``confidence`` of a data row (:class:`~.provenance.Provenance`,
  :class:`~.provenance.Confidence`);
* :mod:`.ledger`: the audit hash chain;
* :mod:`.spreadsheet`: cells a spreadsheet cannot run (:func:`~.spreadsheet.formula_safe`).

Modules are imported by their own path (``from czesg.engine.kernel import units``).
"""
