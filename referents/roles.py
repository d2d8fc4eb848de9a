from referents.models import Appointment
from training.roles import REFERENT, Role, staff_of


def referent_roles(user) -> list[Role]:
    """The référent role of each active appointment of the user (DESIGN.md)."""
    staff = staff_of(user)
    if staff is None:
        return []
    if not hasattr(user, "_dune_appointments"):
        user._dune_appointments = list(
            Appointment.objects.active().filter(staff=staff).select_related("school__academy")
        )
    return [
        Role(REFERENT, school=a.school, academy=a.school.academy) for a in user._dune_appointments
    ]
