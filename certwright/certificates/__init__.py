"""Printable certificates and wallet cards, made from the derived certification
state."""
