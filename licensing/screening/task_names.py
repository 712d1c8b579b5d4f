"""The registered names of this app's tasks that its services enqueue through the outbox.

A service cannot import the tasks module, which imports the services; the
outbox sends a task by its name. The names are stable: messages waiting in
the outbox name them.
"""

RUN_LIST_IMPORT = "licensing.screening.tasks.run_list_import"
START_RESCREEN = "licensing.screening.tasks.start_rescreen"
RESCREEN_BATCH = "licensing.screening.tasks.rescreen_batch"
SCREEN_CHANGES_FIRST = "licensing.screening.tasks.screen_changes_first"
