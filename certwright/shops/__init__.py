"""Shops: the technicians they employ, recognition decided by program rules, and the
public finder."""
