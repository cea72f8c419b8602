"""Tests for the daily digest: due-time maths, quote picking, scheduling."""
