"""When a nudge is due: pure, timezone-aware slot arithmetic, and the tick that sends due nudges."""
