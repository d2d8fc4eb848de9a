from auditlog.middleware import AuditlogMiddleware
from django.conf import settings
from django.middleware.locale import LocaleMiddleware
from django.utils import translation

from training import origin


class FrenchFirstLocaleMiddleware(LocaleMiddleware):
    """French unless the person picked another language with the switch (a cookie).

    Django's own middleware would follow the browser's Accept-Language, and a teacher
    on a school computer set up in English would get Dune in English: a French public
    service speaks French first, and English is offered, not imposed.
    """

    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME, "")
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()


class ChangeOriginMiddleware(AuditlogMiddleware):
    """Who changes what, from which request: auditlog's actor (the signed-in person) and
    address, and the request's id on every entry of the trail. The address is
    REMOTE_ADDR, never a client's X-Forwarded-For (which anyone can send)."""

    @staticmethod
    def _get_remote_addr(request):
        return request.META.get("REMOTE_ADDR")

    def __call__(self, request):
        token = origin.for_request(request.method, request.path)
        try:
            return super().__call__(request)
        finally:
            origin.reset(token)
