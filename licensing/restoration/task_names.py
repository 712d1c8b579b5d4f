"""The registered names of this app's tasks that its services enqueue through the outbox.

A service cannot import the tasks module, which imports the services; the
outbox sends a task by its name. The names are stable: messages waiting in
the outbox name them.
"""

RUN_IMPORT = "licensing.restoration.tasks.run_import"
SCREEN_IMPORTED = "licensing.restoration.tasks.screen_imported_chunk"
