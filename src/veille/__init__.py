"""Veille: French security-cooperation news to PLOVER events."""

__version__ = "0.1.0"
