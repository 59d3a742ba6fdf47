"""Fault cases reuse the integration fixtures (real RabbitMQ, MongoDB-wire server)."""
from tests.integration.conftest import (amqp_url, as_staff, as_worker, client, district,  # noqa: F401
                                        households_app, households_config)
