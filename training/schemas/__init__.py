"""Ninja schemas of ``training``, one module per subdomain."""
