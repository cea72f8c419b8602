"""Quote picking, due-time maths, scheduling and posting of the daily digest."""
