"""The référents' pages, one module per subdomain (``referents/urls.py`` names them).
Parse, check scope (a 404 outside it), call a service or a report, render."""
