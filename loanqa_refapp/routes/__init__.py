"""HTTP routes of the borrower journey (CONTRACT.md), one module per stage."""
