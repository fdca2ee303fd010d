"""The ESG report's presentation: what it charts (``layout``) and its SVG charts (``charts``).

Pure Python; no Django.
"""
