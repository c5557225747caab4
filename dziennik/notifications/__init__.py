"""Notifications that never get lost: the outbox, its channels and people's preferences."""
