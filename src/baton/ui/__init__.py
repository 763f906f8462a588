"""Qt widgets, dialogs and item models. Thin: they show models and call services."""
