"""HTTP plumbing shared by every service: the app factory, errors, logs, metrics, health."""
