"""HTML pages of ``training``, one module per subdomain: parse, check permission, call a
service, render."""
