"""``signalmap`` and the project-layout ``startapp``."""
