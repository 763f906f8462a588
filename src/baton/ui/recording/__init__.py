"""Recording from the app: what to record, countdown, the recording bar, review and trim."""
