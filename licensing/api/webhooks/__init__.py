"""Webhooks: events billing subscribes to, signed and sent after the change that caused them commits."""
