"""Baton: record how you work once, hand it off, and track how it goes."""

__version__ = "0.1.0"
