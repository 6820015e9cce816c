"""Technicians (the people certified) and their documented work experience."""
