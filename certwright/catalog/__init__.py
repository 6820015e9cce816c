"""The program browser: a read-only mirror of the loaded program for the admin."""
