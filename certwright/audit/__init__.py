"""The audit trail: one append-only event row for every state change."""
