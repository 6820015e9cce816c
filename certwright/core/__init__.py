"""Cross-cutting pieces every app uses: the clock, the current program, the API root."""
