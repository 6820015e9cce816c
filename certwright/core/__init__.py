"""Cross-cutting pieces every app uses: the clock, the current program, the roles,
and the platform's own API operations (health, the catalog)."""
