"""The technician admin is registered by ``certwright.credentials.admin``.

It shows a technician's facts and derived state side by side and records new facts
through the credentials services, so it lives with them rather than here.
"""
