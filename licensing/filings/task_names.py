"""The registered names of this app's tasks that its services enqueue through the outbox.

A service cannot import the tasks module, which imports the services; the
outbox sends a task by its name. The names are stable: messages waiting in
the outbox name them.
"""

RENDER_FILING = "licensing.filings.tasks.render_filing"
BUILD_EXPORT_PACKAGE = "licensing.filings.tasks.build_export_package"
