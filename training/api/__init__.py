"""The ``training`` endpoints under ``/api/`` (mounted in ``config/api.py``)."""

from ninja import Router

from training.api import directory, hours, sessions

router = Router()
router.add_router("/", directory.router)
router.add_router("/training/", sessions.router)
router.add_router("/training/", hours.router)
