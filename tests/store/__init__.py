"""Tests for the SQLite store and its migrations."""
