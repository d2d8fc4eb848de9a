"""Catalogue, sessions, slots and enrolments under ``/api/training/``."""

from ninja import Router

router = Router(tags=["formations"])
