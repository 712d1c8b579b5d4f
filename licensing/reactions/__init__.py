"""What follows each event, declared in one table (`table.REACTIONS`).

The services and the state machines record events and nothing else: they
import none of the code that reacts. This package sits at the top of the
dependency order and wires the two: when an event is recorded, its verb's
reactions run in the same database transaction. A reaction that writes rows
(webhook deliveries, filings) writes them there, so they exist if and only if
the change commits; one that has work done elsewhere enqueues a task through
the outbox (`licensing.outbox`), sent once the transaction commits.

To add a reaction: a small function `(event, target)` in the module of its
concern here, and its verb's row in `table.py`.
"""
