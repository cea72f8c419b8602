"""Discord extensions: one per feature."""
