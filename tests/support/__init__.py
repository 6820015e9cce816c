"""What tests share: builders, constants and fixtures used by more than one test
package.

A test package's ``conftest.py`` holds only the fixtures of that package; nothing
imports a ``conftest`` (tests/architecture/test_tests_share_through_support.py).
Builders and constants are imported from here by name
(``from tests.support.scheduling import candidate_create``). Fixtures are found by
name: the modules that define them are plugins of the root tests/conftest.py
(``pytest_plugins``), and a package's own fixture of the same name overrides them.
Their asserts are rewritten as a conftest's are (tests/__init__.py).
"""

