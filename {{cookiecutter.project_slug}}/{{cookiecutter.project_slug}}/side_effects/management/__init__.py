"""Management commands of the receiver kit."""
