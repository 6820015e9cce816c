"""The notifications part of the REST API, mounted by certwright.interface.api."""

from ninja import Router

router = Router(tags=["notifications"])
