"""Documents worth printing: the same template as the HTML page, laid out for A4 and
written as PDF by WeasyPrint (the attestation de présence here; ``referents`` uses it for
the mission letter and the school's activity report).

WeasyPrint fetches nothing from the network: a document's styles are in its template,
and any other URL (an image an attacker would slip into a text) is refused.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.template.loader import render_to_string
from weasyprint import HTML
from weasyprint.urls import URLFetchingError


def _no_fetch(url: str, *args, **kwargs):
    raise URLFetchingError(f"Dune's documents fetch nothing: {url[:80]}")


def pdf_bytes(request, template: str, context: dict) -> bytes:
    html = render_to_string(template, {**context, "pdf": True}, request=request)
    return HTML(string=html, url_fetcher=_no_fetch).write_pdf()


def pdf_response(request, template: str, context: dict, filename: str) -> HttpResponse:
    """The document as a PDF, shown by the browser (``inline``), named ``filename``."""
    response = HttpResponse(pdf_bytes(request, template, context), content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{filename}"'
    return response
