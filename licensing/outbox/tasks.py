"""The relay: beat runs it every few seconds, so a message the request could not send goes once the broker is back."""

from licensing.periodic import periodic_task

from . import services


@periodic_task(ignore_result=True)
def relay_outbox():
    """Send the messages still waiting, oldest first, and forget those sent long ago."""
    sent = services.relay()
    services.prune_sent()
    return sent
