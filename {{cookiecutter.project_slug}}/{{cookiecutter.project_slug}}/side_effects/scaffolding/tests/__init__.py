"""Tests of the kit's scaffolding commands."""
