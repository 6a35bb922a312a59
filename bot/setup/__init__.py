"""Onboarding, the settings menu and pauses: the screens, their buttons and their handlers."""
