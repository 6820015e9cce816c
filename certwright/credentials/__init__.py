"""Results, renewal credits and revocations (facts); certifications and titles
(derived); recompute, the results import and the technician admin."""
