"""The households service: the grid register (网格台账)."""
