"""Ninja schemas of ``/api/referents/…``, one module per subdomain (as ``referents/api/``).

Money in integer cents; people by their opaque ``staff_id``; schools by their UAI;
school years by their name (« 2010-2011 »); months as the first day (« 2010-09-01 »).
"""
