"""Forms of ``accounts``, one module per subdomain."""
