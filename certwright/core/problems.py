"""One shape for every error the REST API answers: RFC 9457 problem details.

Every 4xx and 5xx under /api/ is ``application/problem+json``::

    {"type": "urn:certwright:problem:not_eligible", "title": "Unprocessable Content",
     "status": 422, "detail": "A4 needs A1 first.", "code": "not_eligible",
     "errors": [{"location": "body", "field": "test", "message": "..."}]}

``type`` names the kind of problem (a URN: not meant to be fetched), ``title`` is the
status's reason phrase (the same for every problem of a type), ``detail`` says what
went wrong this time, in words for a person; ``code`` is ``type``'s last part, for
clients that switch on it; ``errors`` lists what was wrong with the input, one entry a
field (empty when the problem is not about a field).

Three ways produce it, so no route answers anything else:

- ``problem()``: what an operation returns for a refusal it decides
  (``return problem(409, "...", code="stale")``), documented with ``ProblemDetails``;
- ``ProblemDetailsAPI``: ninja's own errors (request validation, authentication,
  throttling, ``HttpError``), ``Http404`` and ``PermissionDenied`` from the
  ``access_*``/``check_*`` selectors, and uncaught errors;
- ``ProblemDetailsMiddleware``: what Django answers under /api/ before or after
  ninja (no such route, a method the route lacks, the 2FA requirement, a server error
  outside an operation).

The OpenAPI document says so too: ``ProblemDetailsAPI.get_openapi_schema`` documents
every error response as ``application/problem+json`` with the ``ProblemDetails``
schema, 401 on every operation that needs a signed-in user and 422 on every
operation that takes input.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from http import HTTPStatus
from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.utils.translation import gettext as _
from ninja import NinjaAPI, Schema, Status
from ninja.errors import AuthenticationError, HttpError, Throttled, ValidationError
from pydantic import Field

MEDIA_TYPE = "application/problem+json"
TYPE_PREFIX = "urn:certwright:problem:"
API_PREFIX = "/api/"

# The code of a problem that has no more specific one: its status's.
STATUS_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "too_large",
    415: "unsupported_media_type",
    422: "invalid",
    429: "throttled",
    500: "server_error",
    503: "unavailable",
}

logger = logging.getLogger("django.request")


class ProblemError(Schema):
    """One thing wrong with the input."""

    location: str = Field(
        description="Where: body, query, path, header, cookie, form or file"
    )
    field: str = Field(
        description="The field (dotted for a nested one); empty for the input as a "
        "whole"
    )
    message: str


class ProblemDetails(Schema):
    """An error, as RFC 9457 problem details (``application/problem+json``)."""

    type: str = Field(
        description="The kind of problem: urn:certwright:problem:<code>",
        examples=["urn:certwright:problem:not_found"],
    )
    title: str = Field(description="The HTTP status's reason phrase")
    status: int = Field(ge=400, le=599)
    detail: str = Field(description="What went wrong, for a person")
    code: str = Field(
        description="The last part of type: a stable name to switch on (full, "
        "stale, not_eligible, invalid, not_found, ...)"
    )
    errors: list[ProblemError] = Field(
        default_factory=list, description="What was wrong with the input, by field"
    )


def problem_body(
    status: int,
    detail: str,
    *,
    code: str = "",
    errors: Iterable[Mapping[str, str]] = (),
) -> dict[str, Any]:
    code = code or STATUS_CODES.get(status) or f"http_{status}"
    return {
        "type": TYPE_PREFIX + code,
        "title": _phrase(status),
        "status": status,
        "detail": detail,
        "code": code,
        "errors": [dict(e) for e in errors],
    }


def problem(
    status: int,
    detail: str,
    *,
    code: str = "",
    errors: Iterable[Mapping[str, str]] = (),
) -> Status:
    """What an operation returns to refuse a request: ``ProblemDetails`` with this
    status (``ProblemDetailsAPI`` sends it as ``application/problem+json``)."""
    return Status(status, problem_body(status, detail, code=code, errors=errors))


def field_errors(
    by_field: Mapping[str, Sequence[str]], *, location: str = "body"
) -> list[dict[str, str]]:
    """``errors`` from messages by field (Django's ``message_dict``; its
    ``__all__`` is the input as a whole)."""
    return [
        {
            "location": location,
            "field": "" if field in ("__all__", "non_field") else field,
            "message": str(message),
        }
        for field, messages in by_field.items()
        for message in messages
    ]


def validation_problem(
    exc: DjangoValidationError, status: int, *, code: str = ""
) -> Status:
    """A service's ``ValidationError`` as a problem: its messages as ``detail``,
    its messages by field (when it has them) as ``errors``."""
    by_field = exc.message_dict if hasattr(exc, "error_dict") else {}
    return problem(
        status,
        " ".join(str(m) for m in exc.messages),
        code=code,
        errors=field_errors(by_field),
    )


def _phrase(status: int) -> str:
    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Error"


def _request_errors(errors: Sequence[Mapping[str, Any]]) -> list[dict[str, str]]:
    """ninja's validation errors (``loc`` like ["body", "payload", "test"]) as
    ``errors``: the location, then the field without the operation's parameter
    name (which the client never sees)."""
    out = []
    for error in errors:
        loc = [str(part) for part in error.get("loc", ())]
        location = loc[0] if loc else "body"
        rest = loc[1:]
        if location in ("body", "form") and len(rest) > 1:
            rest = rest[1:]
        out.append(
            {
                "location": location,
                "field": ".".join(rest),
                "message": str(error.get("msg", "")),
            }
        )
    return out


class ProblemDetailsAPI(NinjaAPI):
    """A NinjaAPI whose every error is problem details, and whose OpenAPI document
    says so."""

    def set_default_exception_handlers(self) -> None:
        handlers: list[tuple[type[Exception], Callable[..., HttpResponse]]] = [
            (ValidationError, self._on_validation_error),
            (AuthenticationError, self._on_authentication_error),
            (Throttled, self._on_http_error),
            (HttpError, self._on_http_error),
            (Http404, self._on_not_found),
            (PermissionDenied, self._on_permission_denied),
            (Exception, self._on_exception),
        ]
        for exc_class, handler in handlers:
            self.add_exception_handler(exc_class, handler)

    def problem_response(
        self,
        request: HttpRequest,
        status: int,
        detail: str,
        *,
        code: str = "",
        errors: Iterable[Mapping[str, str]] = (),
    ) -> HttpResponse:
        body = problem_body(status, detail, code=code, errors=errors)
        return self.create_response(request, body, status=status)

    def create_response(
        self,
        request: HttpRequest,
        data: Any,
        *,
        status: int | None = None,
        temporal_response: HttpResponse | None = None,
    ) -> HttpResponse:
        response = super().create_response(
            request, data, status=status, temporal_response=temporal_response
        )
        if response.status_code >= 400:
            response["Content-Type"] = f"{MEDIA_TYPE}; charset=utf-8"
        return response

    # --- the handlers ---------------------------------------------------------------

    def _on_validation_error(
        self, request: HttpRequest, exc: ValidationError
    ) -> HttpResponse:
        errors = _request_errors(exc.errors)
        where = ", ".join(
            f"{e['location']}.{e['field']}" if e["field"] else e["location"]
            for e in errors
        )
        return self.problem_response(
            request,
            422,
            _("The request does not match the API's schema: %(where)s.")
            % {"where": where},
            code="invalid",
            errors=errors,
        )

    def _on_authentication_error(
        self, request: HttpRequest, exc: AuthenticationError
    ) -> HttpResponse:
        message = exc.message
        if message == "Unauthorized":  # ninja's default: say what is expected
            message = _(
                "Sign in, or send an API token as 'Authorization: Bearer <token>'."
            )
        response = self.problem_response(request, exc.status_code, message)
        if exc.status_code == 401:
            response["WWW-Authenticate"] = 'Bearer realm="api"'
        return response

    def _on_http_error(self, request: HttpRequest, exc: HttpError) -> HttpResponse:
        return self.problem_response(request, exc.status_code, str(exc.message))

    def _on_not_found(self, request: HttpRequest, exc: Http404) -> HttpResponse:
        # The selectors' 404s say "as if it did not exist": their text names no more.
        return self.problem_response(request, 404, _("Not found."))

    def _on_permission_denied(
        self, request: HttpRequest, exc: PermissionDenied
    ) -> HttpResponse:
        return self.problem_response(
            request, 403, str(exc) or _("You may not do that.")
        )

    def _on_exception(self, request: HttpRequest, exc: Exception) -> HttpResponse:
        # Logged as Django logs an uncaught error (the admins' mail, the log).
        logger.error(
            "Internal Server Error: %s",
            request.path,
            exc_info=exc,
            extra={"status_code": 500, "request": request},
        )
        response = self.problem_response(
            request, 500, _("Something went wrong on our side; it has been logged.")
        )
        # Logged once, with the traceback: Django would log it again without.
        response._has_been_logged = True  # type: ignore[attr-defined]
        return response

    # --- the document -----------------------------------------------------------------

    def get_openapi_schema(
        self,
        *,
        path_prefix: str | None = None,
        path_params: dict[str, Any] | None = None,
    ) -> Any:
        document = super().get_openapi_schema(
            path_prefix=path_prefix, path_params=path_params
        )
        document_problems(document)
        return document


_REF = "#/components/schemas/"


def _problem_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {MEDIA_TYPE: {"schema": {"$ref": _REF + "ProblemDetails"}}},
    }


def document_problems(document: dict[str, Any]) -> None:
    """Every error response of ``document`` as problem details, and the errors every
    operation can answer declared: 401 where a sign-in is needed, 422 where there is
    input to refuse."""
    schemas = document.setdefault("components", {}).setdefault("schemas", {})
    schema = ProblemDetails.model_json_schema(ref_template=_REF + "{model}")
    schemas.update(schema.pop("$defs", {}))
    schemas["ProblemDetails"] = schema
    for operations in document.get("paths", {}).values():
        for operation in operations.values():
            responses = operation.setdefault("responses", {})
            for status, response in list(responses.items()):
                if int(status) >= 400:
                    responses[status] = _problem_response(
                        response.get("description") or _phrase(int(status))
                    )
            declared = {int(status) for status in responses}
            if operation.get("security") and 401 not in declared:
                responses[401] = {
                    **_problem_response(
                        "Not signed in, or the API token is wrong or revoked"
                    ),
                    "headers": {
                        "WWW-Authenticate": {
                            "description": "How to authenticate (Bearer)",
                            "schema": {"type": "string"},
                        }
                    },
                }
            if 422 not in declared and (
                operation.get("parameters") or operation.get("requestBody")
            ):
                responses[422] = _problem_response(
                    "The request does not match the schema"
                )


def _problem_from(response: HttpResponse) -> dict[str, Any]:
    detail = ""
    if response.get("Content-Type", "").startswith("application/json"):
        try:
            detail = json.loads(response.content).get("detail") or ""
        except (ValueError, AttributeError):
            detail = ""
    if not isinstance(detail, str) or not detail:
        detail = {
            404: _("There is no such API address."),
            405: _("This address does not take that method."),
        }.get(response.status_code, _phrase(response.status_code))
    return problem_body(response.status_code, detail)


class ProblemDetailsMiddleware:
    """Under /api/, an error response that is not problem details yet (Django's
    404 for an unknown path, ninja's bare 405, a JSON refusal from an earlier
    middleware, a server error outside an operation) becomes one. Outermost but
    for the request id, so it sees what every other layer answered."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if (
            not request.path_info.startswith(API_PREFIX)
            or response.status_code < 400
            or response.get("Content-Type", "").startswith(MEDIA_TYPE)
        ):
            return response
        body = _problem_from(response)
        problem_response = HttpResponse(
            json.dumps(body),
            status=response.status_code,
            content_type=f"{MEDIA_TYPE}; charset=utf-8",
        )
        for header in ("Allow", "Retry-After", "WWW-Authenticate"):
            if header in response:
                problem_response[header] = response[header]
        return problem_response
