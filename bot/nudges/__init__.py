"""Nudges as the member sees them, and answering them: buttons, typed check-ins, the edit after an answer."""
