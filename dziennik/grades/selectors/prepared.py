"""The grade pages' prepared reads: ``core.prepared`` (moved there for the attendance
page's too)."""

from dziennik.core.prepared import Prepared

__all__ = ["Prepared"]
