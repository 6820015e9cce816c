"""Signal receivers, connected in ShopsConfig.ready().

Credentials tells when a recompute changed technicians' certifications
(``credentials.signals.certifications_changed``, after commit); the shops employing
them are checked again.
"""

from __future__ import annotations

from typing import Any

from certwright.shops.selectors import shop_ids_employing
from certwright.shops.services import shops_recognition_check


def recognition_on_certifications_changed(
    sender: Any, *, changes: dict[int, list[dict[str, Any]]], **kwargs: Any
) -> None:
    shop_ids = shop_ids_employing(tuple(changes))
    if shop_ids:
        shops_recognition_check(shop_ids=shop_ids, actor="certifications_changed")
