from drf_spectacular.utils import extend_schema
from drf_spectacular.views import SpectacularSwaggerSplitView

# The page's script is served separately (the split view), so only its small
# inline stylesheet needs more than the site-wide policy allows.
DOCS_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'; "
    "object-src 'none'"
)


class DocsView(SpectacularSwaggerSplitView):
    """Interactive API docs (Swagger UI), every asset served from this site."""

    @extend_schema(exclude=True)
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        response["Content-Security-Policy"] = DOCS_POLICY
        return response
