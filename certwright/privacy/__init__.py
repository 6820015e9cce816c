"""A person's own data across every app: the export a technician downloads and the
erasure staff carry out at their request.

Each app reads and erases its own tables (its ``personal_data`` selector, its
erase services); this package only collects and orders them, which is why it
stands above every app that holds personal data.
"""
