"""The main window's pages: library, assistants, handoffs, dashboard."""
