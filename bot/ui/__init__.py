"""Presentation helpers: Discord's embed limits and a terminal view of embeds."""
