"""Stage 5: the voice. The engines, and the clip cache and synthesis, here or on a fleet."""
