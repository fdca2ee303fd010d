"""czesg: the Changzhou ESG data service platform."""

__version__ = "0.1.0"
