"""Every write in ``training`` goes through a function here: keyword-only, one
transaction each, validated with ``full_clean()`` before saving. Call them through the
package: ``from training import services; services.request_enrolment(…)``."""

from training.services.accounts import (
    authenticate_api_token,
    create_api_token,
    create_school,
    hash_token,
    revoke_api_token,
)
from training.services.catalogue import (
    SlotResult,
    add_slot,
    cancel_slot,
    create_module,
    create_programme,
    create_session,
    find_conflicts,
    holiday_warnings,
    publish_session,
    update_session,
    update_slot,
)
from training.services.enrolment import (
    approve_enrolment,
    book_staff,
    bulk,
    cancel_enrolment,
    cancel_session,
    confirm_enrolment,
    decline_enrolment,
    expire_enrolments,
    overlapping_booking,
    promote_waitlist,
    request_enrolment,
)
from training.services.notify import send_reminders

__all__ = [
    "SlotResult",
    "add_slot",
    "approve_enrolment",
    "authenticate_api_token",
    "book_staff",
    "bulk",
    "cancel_enrolment",
    "cancel_session",
    "cancel_slot",
    "confirm_enrolment",
    "create_api_token",
    "create_module",
    "create_programme",
    "create_school",
    "create_session",
    "decline_enrolment",
    "expire_enrolments",
    "find_conflicts",
    "hash_token",
    "holiday_warnings",
    "overlapping_booking",
    "promote_waitlist",
    "publish_session",
    "request_enrolment",
    "revoke_api_token",
    "send_reminders",
    "update_session",
    "update_slot",
]
