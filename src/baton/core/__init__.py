"""Data model, database, media store and the services the app and CLI call."""
