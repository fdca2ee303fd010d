"""The pure domain core of czesg.

Nothing in this package imports Django or django-ninja: it takes plain data (dataclasses,
NumPy arrays, Polars frames) and returns plain data, so that it can be tested, benchmarked and
run per partition without a database. The web layer fetches rows, calls the engine and persists
what it returns.

One package per domain:

* :mod:`.kernel`: what every package builds on: errors, units (the pint registry), identifiers
  (USCC), bilingual names, provenance (``source``/``confidence`` of a data row) and the audit
  ledger's hash chain;
* :mod:`.datafiles`: the one checked reader of the TOML and CSV data files under ``czesg/data``;
  every refusal names the file, the row (or key path) and the field;
* :mod:`.catalogue`: the versioned indicator catalogue (topics and atomic indicators);
* :mod:`.disclosure`: an enterprise's disclosure: values, answers and findings, validation, the
  Excel/CSV workbook, the long format for bulk loads, version diffs and evidence files;
* :mod:`.parks`: the park and high-tech zone ESG evaluation;
* :mod:`.plan`: the city profile and the progress of the city's ESG action plan;
* :mod:`.rating`, :mod:`.carbon`, :mod:`.synth`: the rating engine, the carbon accounts and the
  synthetic data generator.

Packages depend downwards only: ``kernel`` on nothing, ``datafiles`` on ``kernel``, the domain
packages on both.
"""
