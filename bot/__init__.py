"""Everything Telegram-facing: handlers, keyboards, texts, the one sender, and the app builder."""
