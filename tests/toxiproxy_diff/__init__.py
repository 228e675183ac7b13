"""Differential testing of the embedded Toxiproxy server against the real Toxiproxy 2.12.0.

The same scenarios (API calls, bind conflicts, socket probes) run against both servers and the
normalised transcripts must be equal; `python -m tests.toxiproxy_diff.record` stores the real
server's transcripts in tests/data/toxiproxy-2.12.0/ for runs where no real server is installed.
"""
