"""What the habits are and what counts as doing them: check-ins, their parsing, today's progress."""
