"""Screen capture: frame sources, the recorder pipeline, input hooks and overlays."""
