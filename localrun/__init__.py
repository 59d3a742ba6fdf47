"""`make run` on one machine: the launcher that starts every process, and the demo district it loads.

Tooling, not a library: it imports shared, services and the gateway; none of them imports it.
"""
