"""The admins' /tip commands and buttons for managing the tips from Telegram."""
