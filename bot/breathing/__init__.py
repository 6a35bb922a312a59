"""Guided breathing in the chat: the texts of a session's message (`views`), the looping animation
(`animation`) and the pace of the edits under Telegram's limits (`pacing`). All pure; the handlers
that send and edit come on top."""
