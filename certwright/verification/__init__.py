"""Public verification of certifications: the lookup by ID and last name, and the
technicians' share links."""
