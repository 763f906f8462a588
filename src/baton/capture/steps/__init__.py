"""Step capture: clicks and typing become steps with screenshots; steps from a video."""
