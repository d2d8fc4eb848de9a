from .anomalies import AcademyYearClosure, Anomaly
from .attendance import Attendance, HoursEntry, ItemEvidence, LedgerWriteError, TeachingSituation
from .catalogue import Modality, Module, ParcoursPhase, ParcoursTemplate, Programme, Session, Slot
from .directory import (
    FIRST_DEGREE_KINDS,
    SECOND_DEGREE_KINDS,
    Academy,
    AcademyZone,
    Degree,
    District,
    HolidayPeriod,
    School,
    SchoolKind,
    SchoolYear,
    Staff,
    Zone,
    degree_of_kind,
)
from .enrolment import Enrolment, EnrolmentEvent, Notification
from .exports import ExportJob
from .imports import ImportRun
from .plan import Domain, Framework, HoursTarget, Item, Priority, TrainingPlan
from .roles import ApiToken, CalendarToken, RoleMembership
from .school_plan import SchoolPlan, SchoolPlanEvent, SchoolPlanLine, TrainingNeed

__all__ = [
    "ExportJob",
    "SchoolPlan",
    "SchoolPlanEvent",
    "SchoolPlanLine",
    "TrainingNeed",
    "AcademyYearClosure",
    "Anomaly",
    "Attendance",
    "HoursEntry",
    "ItemEvidence",
    "TeachingSituation",
    "LedgerWriteError",
    "Enrolment",
    "ImportRun",
    "EnrolmentEvent",
    "Modality",
    "Module",
    "Notification",
    "ParcoursPhase",
    "ParcoursTemplate",
    "Programme",
    "Session",
    "Slot",
    "FIRST_DEGREE_KINDS",
    "SECOND_DEGREE_KINDS",
    "Academy",
    "AcademyZone",
    "ApiToken",
    "CalendarToken",
    "Degree",
    "District",
    "Domain",
    "Framework",
    "HolidayPeriod",
    "HoursTarget",
    "Item",
    "Priority",
    "RoleMembership",
    "School",
    "SchoolKind",
    "SchoolYear",
    "Staff",
    "TrainingPlan",
    "Zone",
    "degree_of_kind",
]
