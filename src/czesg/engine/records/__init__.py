"""Records: figures about enterprises that come from a named source, read as the world prints them.

* :mod:`.numbers`: a number as printed in a report, register or utility bill (thousands
  separators, full-width digits, 万/亿 scales, accounting negatives, "—" and "Not Reported");
* :mod:`.checking`: checking a standard long frame of records (one figure per enterprise or
  installation, year and indicator) against the catalogue and units, vectorised with Polars;
* :mod:`.tables`: reading a CSV (UTF-8 or GB 18030) or XLSX file into a frame of strings.

The source-specific adapters that turn a utility's or a register's file into the standard frame
live in the records app (``czesg.records.adapters``); they share these checks.
"""
