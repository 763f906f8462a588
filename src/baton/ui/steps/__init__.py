"""The step editor: list, form, canvas and tools, undo commands, step capture from the app."""
