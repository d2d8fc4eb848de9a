"""Sign-in records, one module per subdomain: the identities a person signs in with at
an identity provider, and the log of sign-ins with the sessions they opened."""

from accounts.models.identities import ExternalIdentity
from accounts.models.signins import SignInEvent, UserSession

__all__ = ["ExternalIdentity", "SignInEvent", "UserSession"]
