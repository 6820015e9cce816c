"""Project configuration helpers: environment parsing and tool entry points."""
