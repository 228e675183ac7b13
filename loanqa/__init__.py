"""loanqa: load and device-compatibility test harness for mobile-loan apps."""

__version__ = "0.1.0"
