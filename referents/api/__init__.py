"""The référents under ``/api/referents/`` (mounted in ``config/api.py``), one module per
subdomain: appointments, mission logs, the référent's own year, *service fait*, payroll
exports, the school's activity report, the académie's summary and the network directory.

As the pages (``referents/views/``): every object is looked up through a scope
(``referents.lookups``, ``referents.permissions``); outside it, a 404. Inside it, the
service decides: a ``ReferentError`` becomes its status with ``{"detail": …}`` (handler
in ``config/api.py``), and each endpoint lists in its ``response`` the error statuses it
answers (``training.schemas.errors``). Operation ids are written out on each endpoint:
they are part of the published API, and moving code must not rename them.
"""

from ninja import Router

from referents.api import allowances, appointments, dashboard, missions, payroll, reports

router = Router(tags=["référents numériques"])
# In this order: the API document lists the endpoints as they are added.
router.add_router("/", appointments.router)
router.add_router("/", missions.router)
router.add_router("/", dashboard.router)
router.add_router("/", allowances.router)
router.add_router("/", payroll.router)
router.add_router("/", reports.router)
