"""What is stored and why, the export of a member's data, and erasing it."""
