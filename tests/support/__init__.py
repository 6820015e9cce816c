"""What the tests share, in one place: builders, constants and the fixtures that
more than one test package uses.

A test package's ``conftest.py`` holds only its own fixtures, and nothing imports a
``conftest`` (tests/architecture/test_tests_share_through_support.py). What a test
imports lives here, by the app it builds for (scheduling.py, delivery.py, ...) or by
what it is (dates.py, docs.py, forms.py), and is imported by name
(``from tests.support.scheduling import candidate_create``). The modules that define
fixtures are plugins of the root tests/conftest.py (``pytest_plugins``), so tests
find those fixtures by name; a package's own fixture of the same name overrides
them. Their asserts are rewritten as a conftest's are (tests/__init__.py).
"""
