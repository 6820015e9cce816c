"""What badges does when credentials says derived state changed."""

from __future__ import annotations

from typing import Any

from certwright.badges.services import technicians_credentials_recheck


def revoke_on_derived_withdrawn(
    sender: Any, technician_ids: list[int], actor: Any = None, **kwargs: Any
) -> None:
    technicians_credentials_recheck(technician_ids, actor=actor)
