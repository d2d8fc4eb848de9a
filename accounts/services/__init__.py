"""Every write of ``accounts``, one module per subdomain: matching an identity to a
person (``identities``), the sign-in log and its lockout (``signins``), sessions and
"sign out everywhere" (``sessions``), activation e-mails (``activation``)."""
