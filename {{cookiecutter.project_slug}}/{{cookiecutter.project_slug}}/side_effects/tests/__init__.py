"""Tests of the receiver kit: the decorator, the checks, the map, the guards and the plugin."""
