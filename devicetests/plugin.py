"""pytest plugin entry point for the device suite (inert unless --matrix is given).

Placeholder until the device suite lands: it must exist because pyproject registers it under pytest11.
"""
