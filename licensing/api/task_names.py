"""The registered names of this app's tasks that its services enqueue through the outbox.

A service cannot import the tasks module, which imports the services; the
outbox sends a task by its name. The names are stable: messages waiting in
the outbox name them.
"""

TOUCH_API_TOKEN = "licensing.api.tasks.touch_api_token"  # noqa: S105 - a task's name, not a secret
DELIVER_WEBHOOK = "licensing.api.tasks.deliver_webhook"
