"""Serving an attachment's bytes: the one place that decides how a file reaches a browser."""

from __future__ import annotations

from django.http import FileResponse, Http404

from tickets.models import Attachment


def attachment_response(
    attachment: Attachment, *, inline: bool = False, private: bool = False
) -> FileResponse:
    """The file as a download, or shown in the page when ``inline`` and it is a safe image.

    Anything but PNG/JPEG/GIF/WebP (SVG and HTML included) goes out as an opaque download, with
    no sniffing and a sandboxing policy, so an uploaded file can never run as our page.
    """
    show = inline and attachment.is_image
    try:
        handle = attachment.file.open("rb")
    except FileNotFoundError as exc:
        raise Http404("The file is missing.") from exc
    response = FileResponse(
        handle,
        as_attachment=not show,
        filename=attachment.name,
        content_type=attachment.content_type if show else "application/octet-stream",
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    if private:
        response["Cache-Control"] = "private, no-store"
    return response
