"""The pages of ``accounts``, one module per subdomain (``accounts/urls.py`` names them)."""
