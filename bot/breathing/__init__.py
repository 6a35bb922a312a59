"""Guided breathing in the chat: the texts of a session's message (`views`), the looping animation
(`animation`) and the pace of the edits under Telegram's limits (`pacing`), all pure; the buttons
(`keyboards`), the running sessions and the one job that edits them (`runner`) and the handlers
for /adem and the buttons (`handlers`) on top."""
