"""The admins' tip editor in a browser: one-time sign-in links, sessions, the page and its server."""
