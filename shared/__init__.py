"""The library every service and the gateway share: config, data, events, bus, HTTP plumbing."""
