"""The app's dialogs: process, assistant, send, check in, preferences, stale holders."""
