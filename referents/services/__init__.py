"""Every write of ``referents`` goes through a function here, one module per subdomain
(``appointments``, ``allowances``, ``payroll``, ``missions``). Call them through the
package: ``from referents import services; services.appoint(…)``."""

from referents.services.allowances import (
    compute_instalments,
    confirm_service_done,
    correct_instalment,
    instalment_amounts,
    schedule,
    served_fraction,
)
from referents.services.appointments import (
    appoint,
    decline,
    end_appointment,
    set_mission_shared,
    volunteer,
)
from referents.services.missions import log_mission
from referents.services.payroll import export_payroll, pending_payroll

__all__ = [
    "appoint",
    "compute_instalments",
    "confirm_service_done",
    "correct_instalment",
    "decline",
    "end_appointment",
    "export_payroll",
    "instalment_amounts",
    "log_mission",
    "pending_payroll",
    "schedule",
    "served_fraction",
    "set_mission_shared",
    "volunteer",
]
