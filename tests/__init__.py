"""summitbot test suite."""
