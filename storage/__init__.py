"""The database: SQLModel tables, the engine factory, and plain query functions."""
