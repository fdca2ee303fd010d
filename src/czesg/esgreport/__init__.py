"""The ESG report that leaves the platform: PDF, content indexes, inline XBRL and xBRL-JSON."""
