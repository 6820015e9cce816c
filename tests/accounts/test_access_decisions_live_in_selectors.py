"""Who may see or do what is decided in each app's selectors (``access_*``,
``check_*``, ``can_*``), never inline in a view, an API operation or a service: no
private ``_staff_only``/``_access``/``_check_proctor``-style helpers, no role test
or PermissionDenied outside the modules whose business roles are. A new inline
check fails here until it moves to a selector (or is named below, with why)."""

from __future__ import annotations

import ast
import pathlib

import certwright

PACKAGE = pathlib.Path(certwright.__file__).parent

ROLE_TESTS = {"user_is_program_staff", "user_has_role", "user_roles"}

# Modules whose business is roles or permissions themselves.
DECIDERS = {"selectors.py", "roles.py", "backends.py"}
# Django's own permission hooks (has_*_permission) and the menu, which only shows
# links (each page still checks through its selector).
HOOKS = {"admin.py", "navigation.py"}

# (module, function) that read roles or raise PermissionDenied without deciding
# anyone's access, and why.
NOT_DECISIONS = {
    # Behind login_required: an anonymous user there is a programming error.
    ("accounts/views.py", "_user"),
    ("candidates/views.py", "_actor"),
    ("shops/views.py", "_actor"),
    # The profile and GET /api/accounts/me list the user's roles.
    ("accounts/views.py", "_profile_context"),
    ("accounts/api.py", "me"),
    # A proctor, employer or staff member is sent to their own page.
    ("portal/views.py", "dashboard"),
    # Only a candidate gets a technician record when their address is verified.
    ("accounts/services.py", "candidate_technician_ensure"),
}


def _modules() -> list[pathlib.Path]:
    return sorted(
        path
        for path in PACKAGE.rglob("*.py")
        if "migrations" not in path.parts
        and "templatetags" not in path.parts
        and "management" not in path.parts
        and path.name not in DECIDERS | HOOKS
        and not path.name.endswith("demo.py")
    )


def _inline_decisions(path: pathlib.Path) -> list[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    module = str(path.relative_to(PACKAGE))
    found = []
    for function in ast.walk(tree):
        if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        if (module, function.name) in NOT_DECISIONS:
            continue
        for node in ast.walk(function):
            if isinstance(node, ast.Call) and isinstance(node.func, ast.Name):
                if node.func.id in ROLE_TESTS:
                    found.append(
                        f"{module}:{node.lineno} {function.name}: {node.func.id}"
                    )
            elif isinstance(node, ast.Raise) and node.exc is not None:
                raised = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if isinstance(raised, ast.Name) and raised.id == "PermissionDenied":
                    found.append(f"{module}:{node.lineno} {function.name}: raise")
    return found


def test_no_view_api_or_service_decides_access_inline() -> None:
    found = [hit for path in _modules() for hit in _inline_decisions(path)]
    assert found == []


def test_the_private_access_helpers_are_gone() -> None:
    """The helpers issue 10 found, each now a selector: candidates'
    ``check_experience_reviewer``, scoring's ``check_analyst``, delivery's
    ``check_centre_staff`` and ``check_attempt_candidate``."""
    gone = {"_staff_only", "_access", "_check_proctor", "_check_staff", "_check_owner"}
    defined = sorted(
        f"{path.relative_to(PACKAGE)}: {node.name}"
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path)))
        if isinstance(node, ast.FunctionDef) and node.name in gone
    )
    assert defined == []
