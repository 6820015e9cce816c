import pytest

# tests/support holds helpers that assert (a redirect, a cookie), as the conftests
# they came from did: rewritten before it is first imported, a failing assert there
# shows its values.
pytest.register_assert_rewrite("tests.support")
