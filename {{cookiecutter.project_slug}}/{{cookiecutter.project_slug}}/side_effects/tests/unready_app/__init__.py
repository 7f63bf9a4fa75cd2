"""An app whose ``ready()`` never imports its ``signals`` module (for the W003 check)."""
