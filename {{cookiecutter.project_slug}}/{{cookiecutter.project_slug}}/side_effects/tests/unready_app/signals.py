"""Receivers that are never connected: nothing imports this module at startup."""
