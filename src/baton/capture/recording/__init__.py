"""Recording the screen: frame sources, the encoder pipeline, narration, crash safety, trim."""
