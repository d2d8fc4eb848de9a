"""The person's own sessions: sign out everywhere."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from accounts.services import sessions


@login_required
@require_POST
def sign_out_everywhere(request):
    """Ends every session of the person (on every device) and his calendar link."""
    ended = sessions.sign_out_everywhere(user=request.user)
    logout(request)
    messages.success(
        request,
        _(
            "Vous êtes déconnecté partout (%(n)d session(s)). Votre ancien lien d'agenda "
            "ne fonctionne plus : créez-en un nouveau depuis « Mon agenda »."
        )
        % {"n": ended},
    )
    return redirect("login")
