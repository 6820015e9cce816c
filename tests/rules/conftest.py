"""A small program built in code, so the rules tests do not depend on shipped data."""

import pytest

from certwright.program.model import Program
from tests.rules.builders import make_program


@pytest.fixture
def program() -> Program:
    return make_program()


@pytest.fixture
def program_with() -> object:
    """A factory: the tiny program with some policy values changed."""
    return make_program
