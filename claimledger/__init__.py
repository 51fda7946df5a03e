"""claimledger: claims, their evidence and their verification status, as a checked dataset and a static site."""

from __future__ import annotations

__version__ = "0.1.0"
