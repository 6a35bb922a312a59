"""Today's checklist, streaks and the weekly picture: its figures drawn as a chart and sent."""
