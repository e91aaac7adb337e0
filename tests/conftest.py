"""Shared pytest configuration; fixture modules are plugged in here."""

pytest_plugins = ["tests.simulator.fixtures"]
