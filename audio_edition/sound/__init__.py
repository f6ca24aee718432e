"""Stages 6-7: the sound. Join the clips with their pauses, finish the loudness, encode the MP3."""
