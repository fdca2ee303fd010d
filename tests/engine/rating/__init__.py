"""Tests of the rating engine package, one module per engine module."""
