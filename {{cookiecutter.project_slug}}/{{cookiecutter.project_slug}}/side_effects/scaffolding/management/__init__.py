"""Management commands of the kit's scaffolding."""
