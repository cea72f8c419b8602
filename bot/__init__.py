"""summitbot: a Discord bot that brings one AI summit into a team's server."""

__version__ = "0.1.0"
