"""Experience pages: the candidate's list, add, edit and documents; the employer's
confirmation page; program staff's review queue.

Views are thin: ``access_*`` selectors fetch-and-check (Http404 for other people's
records), ``check_*`` selectors refuse (403), services write, forms parse.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from certwright.candidates.decorators import candidate_required
from certwright.candidates.forms import (
    EmployerAnswerForm,
    ExperienceForm,
    RejectForm,
    errors_onto_form,
)
from certwright.candidates.models import ExperienceRecord, Technician
from certwright.candidates.selectors import (
    access_experience_document,
    access_experience_record,
    can_review_experience,
    check_experience_record_owner,
    check_experience_reviewer,
    experience_record_list,
    experience_review_queue,
)
from certwright.candidates.services import (
    EmployerLinkError,
    ThrottledError,
    employer_link_read,
    experience_edit,
    experience_employer_link_send,
    experience_employer_respond,
    experience_record_approve,
    experience_record_reject,
    experience_record_withdraw,
    experience_submit,
)
from certwright.core.program import current_program

# An employer's link that cannot be used, as an HTTP status.
_LINK_STATUS = {"invalid": 400, "expired": 410, "outdated": 410, "answered": 409}


def _actor(request: HttpRequest) -> AbstractBaseUser:
    # Behind login_required: an anonymous user here is a programming error.
    user = request.user
    if not isinstance(user, AbstractBaseUser):
        raise PermissionDenied
    return user


def _own_record(request: HttpRequest, record_id: int) -> ExperienceRecord:
    record = access_experience_record(request.user, record_id)
    check_experience_record_owner(request.user, record)
    return record


def _throttled(response: HttpResponse, error: ThrottledError) -> HttpResponse:
    response.status_code = 429
    response["Retry-After"] = str(error.retry_after_seconds)
    return response


# An account without a technician record has no experience to document.
NO_TECHNICIAN = "candidates/no_technician.html"


@candidate_required(NO_TECHNICIAN)
def experience_list(request: HttpRequest, technician: Technician) -> HttpResponse:
    return render(
        request,
        "candidates/experience_list.html",
        {
            "technician": technician,
            "records": experience_record_list(technician_id=technician.pk),
        },
    )


@candidate_required(NO_TECHNICIAN)
def experience_add(request: HttpRequest, technician: Technician) -> HttpResponse:
    program = current_program()
    form = ExperienceForm(request.POST or None, request.FILES or None, program=program)
    throttled: ThrottledError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            experience_submit(
                technician_id=technician.pk,
                actor=_actor(request),
                **form.service_arguments(),
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        except ThrottledError as error:
            form.add_error(None, error.message)
            throttled = error
        else:
            messages.success(
                request, _("Your experience was saved and is waiting for review.")
            )
            return redirect("candidates:experience_list")
    response = render(
        request,
        "candidates/experience_form.html",
        {"form": form, "record": None},
        status=400 if form.errors else 200,
    )
    return _throttled(response, throttled) if throttled else response


@login_required
def experience_detail(request: HttpRequest, record_id: int) -> HttpResponse:
    record = access_experience_record(request.user, record_id)
    return _detail(request, record)


def _detail(request: HttpRequest, record: ExperienceRecord) -> HttpResponse:
    return render(
        request,
        "candidates/experience_detail.html",
        {
            "record": record,
            "documents": list(record.documents.all()),
            "own": record.technician.user_id == request.user.pk,
            "staff": can_review_experience(request.user),
            "reject_form": RejectForm(),
        },
    )


@login_required
def experience_change(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _own_record(request, record_id)
    program = current_program()
    if not record.editable:
        messages.error(
            request,
            _("This record was %(state)s and can no longer be changed.")
            % {"state": record.review_status.label},
        )
        return redirect("candidates:experience_detail", record_id=record.pk)
    form = ExperienceForm(
        request.POST or None,
        request.FILES or None,
        program=program,
        initial=ExperienceForm.initial_for(record),
    )
    throttled: ThrottledError | None = None
    if request.method == "POST" and form.is_valid():
        try:
            experience_edit(
                record_id=record.pk,
                expected_revision=form.cleaned_data["revision"],
                actor=_actor(request),
                **form.service_arguments(),
            )
        except ValidationError as error:
            errors_onto_form(form, error)
        except ThrottledError as error:
            form.add_error(None, error.message)
            throttled = error
        else:
            messages.success(request, _("Your changes were saved."))
            return redirect("candidates:experience_list")
    response = render(
        request,
        "candidates/experience_form.html",
        {"form": form, "record": record},
        status=400 if form.errors else 200,
    )
    return _throttled(response, throttled) if throttled else response


@login_required
@require_POST
def experience_withdraw(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _own_record(request, record_id)
    try:
        experience_record_withdraw(record_id=record.pk, actor=_actor(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("The record was withdrawn."))
    return redirect("candidates:experience_list")


@login_required
@require_POST
def experience_link_resend(request: HttpRequest, record_id: int) -> HttpResponse:
    record = _own_record(request, record_id)
    try:
        experience_employer_link_send(record_id=record.pk, actor=_actor(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    except ThrottledError as error:
        # The page itself answers, with the reason, so the 429 reaches the
        # browser (and htmx) instead of being lost in a redirect.
        messages.error(request, error.message)
        return _throttled(_detail(request, record), error)
    else:
        messages.success(
            request,
            _("A new confirmation link was sent to %(to)s.")
            % {"to": record.employer_email},
        )
    return redirect("candidates:experience_detail", record_id=record.pk)


@login_required
def document_download(request: HttpRequest, document_id: int) -> FileResponse:
    document = access_experience_document(request.user, document_id)
    response = FileResponse(
        document.file.open("rb"),
        content_type=document.content_type,
        filename=document.original_name,
    )
    # Uploaded content is never run by the browser as a page of this site.
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "sandbox"
    response["Cache-Control"] = "private, no-store"
    return response


# --- the employer's page (no account: the signed link is the credential) -------------


def employer_confirm(request: HttpRequest, token: str) -> HttpResponse:
    try:
        record = employer_link_read(token)
    except EmployerLinkError as error:
        return _link_error(request, error)
    answered = record.employer_confirmed_at or record.employer_disputed_at
    form = EmployerAnswerForm(request.POST or None)
    if request.method == "POST" and answered is None and form.is_valid():
        try:
            record = experience_employer_respond(
                token=token,
                confirmed=form.cleaned_data["answer"] == "confirm",
                note=form.cleaned_data["note"],
            )
        except EmployerLinkError as error:
            return _link_error(request, error)
        except ValidationError as error:
            errors_onto_form(form, error)
        else:
            return render(
                request, "candidates/employer_thanks.html", {"record": record}
            )
    context: dict[str, Any] = {"record": record, "form": form, "answered": answered}
    return render(
        request,
        "candidates/employer_confirm.html",
        context,
        status=400 if form.errors else 200,
    )


def _link_error(request: HttpRequest, error: EmployerLinkError) -> HttpResponse:
    return render(
        request,
        "candidates/employer_link_error.html",
        {"error": error},
        status=_LINK_STATUS.get(error.reason, 400),
    )


# --- program staff ---------------------------------------------------------------


@login_required
def review_queue(request: HttpRequest) -> HttpResponse:
    check_experience_reviewer(request.user)
    return render(
        request,
        "candidates/review_queue.html",
        {"records": list(experience_review_queue()), "reject_form": RejectForm()},
    )


@login_required
@require_POST
def review_approve(request: HttpRequest, record_id: int) -> HttpResponse:
    check_experience_reviewer(request.user)
    record = access_experience_record(request.user, record_id)
    try:
        experience_record_approve(record_id=record.pk, actor=_actor(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Approved %(kind)s of %(name)s.")
            % {"kind": record.get_kind_display(), "name": record.technician.name},
        )
    return redirect("candidates:review_queue")


@login_required
@require_POST
def review_reject(request: HttpRequest, record_id: int) -> HttpResponse:
    check_experience_reviewer(request.user)
    record = access_experience_record(request.user, record_id)
    form = RejectForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("A rejection needs a reason for the candidate."))
        return redirect("candidates:experience_detail", record_id=record.pk)
    try:
        experience_record_reject(
            record_id=record.pk,
            reason=form.cleaned_data["reason"],
            actor=_actor(request),
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(
            request,
            _("Rejected; %(name)s was told why.") % {"name": record.technician.name},
        )
    return redirect("candidates:review_queue")
