"""Stages 1-4: the text. Read it, find the story, cut it into paragraphs, speech and chunks."""
