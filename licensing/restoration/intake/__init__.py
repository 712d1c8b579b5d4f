"""Bulk intake of the customer book: what each file holds, reading it, and checking every row."""
