import mimetypes

from django.contrib.auth.decorators import login_required
from django.http import FileResponse
from django.shortcuts import get_object_or_404
from django.views.decorators.http import require_GET

from .evidence import open_evidence
from .models import EvidenceDocument


@login_required
@require_GET
def evidence_file(request, pk: int):
    """Serve one evidence file after the permission check; never cached, never inline-executed."""
    document = get_object_or_404(EvidenceDocument, pk=pk)
    handle = open_evidence(actor=request.user, document=document)
    content_type = mimetypes.guess_type(document.original_name)[0] or "application/octet-stream"
    response = FileResponse(handle, as_attachment=True, filename=document.original_name, content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response
