"""The ``training`` endpoints under ``/api/`` (mounted in ``config/api.py``).

Each endpoint lists in its ``response`` the error statuses it answers, with the shapes
of ``training.schemas.errors``; every schema has a name of its own in the API document
(``tests/test_openapi.py`` checks both).
"""

from ninja import Router

from training.api import directory, hours, sessions

router = Router()
router.add_router("/", directory.router)
router.add_router("/training/", sessions.router)
router.add_router("/training/", hours.router)
