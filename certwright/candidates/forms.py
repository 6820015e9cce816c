"""Forms for the candidate's experience pages, the employer's answer and staff's
rejection. They parse and label; the services decide what is valid."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from certwright.candidates.models import ExperienceKind, ExperienceRecord
from certwright.program.model import Program

ACCEPT = ".pdf,.jpg,.jpeg,.png,application/pdf,image/jpeg,image/png"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input (Django's documented recipe)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data if d]
        return [single(data, initial)] if data else []


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(format="%Y-%m-%d", **kwargs)


def kind_choices(program: Program) -> list[tuple[str, str]]:
    """The kinds this program counts, named as the program names them."""
    return [
        (k.code, k.name)
        for k in program.experience.kinds.values()
        if k.code in ExperienceKind.values
    ]


class ExperienceForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind of experience"))
    employer = forms.CharField(
        label=_("Employer or school"), max_length=200, required=False
    )
    role = forms.CharField(
        label=_("Role or course"),
        max_length=200,
        required=False,
        help_text=_("For example: technician, apprentice, A.A.S. Automotive."),
    )
    employer_email = forms.EmailField(
        label=_("Employer's or school's e-mail"),
        required=False,
        help_text=_(
            "We send them a link to confirm this record. It speeds up the review."
        ),
    )
    start = forms.DateField(label=_("Start"), widget=DateInput())
    end = forms.DateField(
        label=_("End"),
        required=False,
        widget=DateInput(),
        help_text=_("Leave empty if you still work there."),
    )
    hours = forms.ChoiceField(
        label=_("Hours"),
        choices=[("full", _("Full time")), ("part", _("Part time"))],
        widget=forms.RadioSelect,
        initial="full",
    )
    note = forms.CharField(
        label=_("Anything staff should know"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )
    documents = MultipleFileField(
        label=_("Documents"),
        required=False,
        help_text=_(
            "Degree or training certificates, an employer's letter: PDF, JPEG or "
            "PNG, up to 10 MB each."
        ),
    )
    # The revision the form was opened on, so a stale form is refused.
    revision = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args: Any, program: Program, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        choices = kind_choices(program)
        self.fields["kind"].choices = choices  # type: ignore[attr-defined]
        self.fields["kind"].help_text = _(
            "Work and apprenticeships count day by day; a degree or training "
            "counts for up to one year."
        )

    @classmethod
    def initial_for(cls, record: ExperienceRecord) -> dict[str, Any]:
        return {
            "kind": record.kind,
            "employer": record.employer,
            "role": record.role,
            "employer_email": record.employer_email,
            "start": record.start,
            "end": record.end,
            "hours": "full" if record.full_time else "part",
            "note": record.note,
            "revision": record.revision,
        }

    def service_arguments(self) -> dict[str, Any]:
        d = self.cleaned_data
        return {
            "kind": d["kind"],
            "employer": d["employer"],
            "role": d["role"],
            "employer_email": d["employer_email"],
            "start": d["start"],
            "end": d["end"],
            "full_time": d["hours"] == "full",
            "note": d["note"],
            "documents": d["documents"],
        }


def errors_onto_form(form: forms.Form, error: ValidationError) -> None:
    """A service's ValidationError shown on the form: on the field it names when the
    form has one, otherwise at the top."""
    if hasattr(error, "error_dict"):
        for field, errors in error.error_dict.items():
            target = field if field in form.fields else None
            for e in errors:
                form.add_error(target, e.messages)
    else:
        form.add_error(None, error.messages)


class EmployerAnswerForm(forms.Form):
    answer = forms.ChoiceField(
        label=_("Is this record correct?"),
        choices=[
            ("confirm", _("Yes, I confirm it")),
            ("dispute", _("No, something is wrong")),
        ],
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("What is wrong (or anything to add)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        max_length=2000,
    )


class RejectForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason, sent to the candidate"),
        widget=forms.Textarea(attrs={"rows": 2}),
        max_length=2000,
    )
