"""Management commands of the kit's inspection."""
