"""The HTML forms of ``training``, one module per subdomain: ``accounts`` (signing in,
API tokens), ``directory`` (schools), ``catalogue`` (filters, sessions, slots),
``enrolment`` (reasons, decisions, bookings), ``hours`` (declared online work),
``imports`` (uploading a file), ``programmes`` (dispositifs and their modules),
``school_plans`` (needs, plan lines, comments); ``fields`` holds the widgets and fields
they share. Forms parse and check input; the services decide."""

from training.forms.accounts import ApiTokenForm
from training.forms.catalogue import SESSION_FORM_FIELDS, CatalogueFilterForm, SessionForm, SlotForm
from training.forms.directory import SchoolForm
from training.forms.enrolment import BookStaffForm, DecisionForm, ReasonForm
from training.forms.fields import DateInput, DateTimeInput, IdListField, datetime_field
from training.forms.hours import DeclareWorkForm
from training.forms.imports import ImportForm
from training.forms.programmes import HoursField, ModuleForm, ProgrammeForm
from training.forms.school_plans import CommentForm, LineForm, NeedForm

__all__ = [
    "SESSION_FORM_FIELDS",
    "ApiTokenForm",
    "BookStaffForm",
    "CatalogueFilterForm",
    "CommentForm",
    "DateInput",
    "DateTimeInput",
    "DecisionForm",
    "DeclareWorkForm",
    "HoursField",
    "IdListField",
    "ImportForm",
    "LineForm",
    "ModuleForm",
    "NeedForm",
    "ProgrammeForm",
    "ReasonForm",
    "SchoolForm",
    "SessionForm",
    "SlotForm",
    "datetime_field",
]
