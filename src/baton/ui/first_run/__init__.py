"""The first hour: a welcome that walks through a first capture, and an example process."""
