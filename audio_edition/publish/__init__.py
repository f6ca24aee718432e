"""Stage 8: what is published. Tags, manifest, sidecars, the player page and the feed."""
