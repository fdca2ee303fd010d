"""The pure domain core of czesg.

Nothing in this package imports Django or django-ninja: it takes plain data (dataclasses,
NumPy arrays, Polars frames) and returns plain data, so that it can be tested, benchmarked and
run per partition without a database. The web layer fetches rows, calls the engine and persists
what it returns.
"""
