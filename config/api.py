"""The NinjaAPI: routers of each app, authentication, and one handler per domain error.

Two ways in: the browser's session (with its CSRF token on writes), and a personal API
token sent as ``Authorization: Bearer dune_…`` by integrations (stored hashed).
"""

from django.core.exceptions import ValidationError
from ninja import NinjaAPI
from ninja.security import HttpBearer, SessionAuth

from referents.api import router as referents_router
from referents.errors import ReferentError
from training import services as training_services
from training.api import router as training_router
from training.api.audit import router as audit_router
from training.api.closing import router as closing_router
from training.api.school_plans import router as school_plans_router
from training.errors import TrainingError


class ApiTokenAuth(HttpBearer):
    openapi_scheme = "bearer"

    def authenticate(self, request, token: str):
        api_token = training_services.authenticate_api_token(token)
        if api_token is None:
            return None
        request.user = api_token.user
        return api_token.user


api = NinjaAPI(
    title="Dune API",
    version="1",
    description="Formation des enseignants et référents numériques.",
    # The token first: a request that carries one is not a browser and needs no CSRF token.
    auth=[ApiTokenAuth(), SessionAuth()],
    urls_namespace="api",
)
api.add_router("/", training_router)
api.add_router("/referents/", referents_router)
api.add_router("/audit/", audit_router)
api.add_router("/audit/", closing_router)
api.add_router("/training/", school_plans_router)


@api.exception_handler(TrainingError)
def training_error(request, exc: TrainingError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status)


@api.exception_handler(ReferentError)
def referent_error(request, exc: ReferentError):
    return api.create_response(request, {"detail": exc.message}, status=exc.status)


@api.exception_handler(ValidationError)
def model_validation_error(request, exc: ValidationError):
    # A rule only the model knows (unique UAI, district of another académie…): 422 like
    # ninja's own validation errors, with the French messages.
    return api.create_response(request, {"detail": exc.messages}, status=422)
