"""The event bus on kombu: topology, publishing with confirms, the outbox relay and consumers."""
