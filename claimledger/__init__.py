"""claimledger: claims, their evidence and their verification status, as a checked dataset and a static site."""

__version__ = "0.1.0"
