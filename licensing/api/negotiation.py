"""Content negotiation that answers the common case without parsing anything."""

from rest_framework.negotiation import DefaultContentNegotiation


class ContentNegotiation(DefaultContentNegotiation):
    """DRF's negotiation, with a shortcut for a client that accepts anything.

    Billing's clients send no Accept header (or `*/*`), and DRF would parse
    and rank media types on every access check to conclude what the shortcut
    does: the first renderer, with its own media type. Anything else is
    negotiated as before.
    """

    def select_renderer(self, request, renderers, format_suffix=None):
        accept = request.META.get("HTTP_ACCEPT", "")
        if (
            accept in ("", "*/*")
            and not format_suffix
            and self.settings.URL_FORMAT_OVERRIDE not in request.query_params
        ):
            return renderers[0], renderers[0].media_type
        return super().select_renderer(request, renderers, format_suffix)
