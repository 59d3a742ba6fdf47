"""Stop and start the machine's RabbitMQ application (the node stays up, so it comes back fast)."""
import subprocess

from tests.support.broker import broker_up, wait_until


def stop_broker() -> None:
    subprocess.run(["rabbitmqctl", "stop_app"], check=True, capture_output=True, timeout=60)
    wait_until(lambda: not broker_up(), timeout=30)


def start_broker() -> None:
    subprocess.run(["rabbitmqctl", "start_app"], check=True, capture_output=True, timeout=120)
    wait_until(broker_up, timeout=60)
