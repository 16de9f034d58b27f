"""Loopback-only test peers for spot-connect's integration tests.

Every server here binds 127.0.0.1 on an ephemeral port and runs in a
background thread (moto runs as a child process).  See selfcheck.py for a
runnable tour of the whole set.
"""
