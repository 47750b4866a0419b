"""Renderers beyond DRF's JSON one."""

from __future__ import annotations

import json

from rest_framework import renderers
from rest_framework.utils.encoders import JSONEncoder


class BinaryRenderer(renderers.BaseRenderer):
    """Lets a download answer any ``Accept``; its errors are still the JSON error shape."""

    media_type = "*/*"
    format = "bin"
    charset = None

    def render(self, data, accepted_media_type=None, renderer_context=None):
        if isinstance(data, bytes):
            return data
        return json.dumps(data, cls=JSONEncoder).encode()
