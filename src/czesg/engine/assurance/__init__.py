"""Independent assurance: the pure rules of an engagement.

* :mod:`.sampling`: the documented risk-based default sample (``data/assurance/sampling.toml``):
  values with warnings first, then the larger values, in a size set per assurance level.
"""
