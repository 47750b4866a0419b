"""HTML compared as a browser reads it: the same elements, attributes and text.

``same_html(a, b)`` ignores what a browser ignores: how a character is written (``&#39;`` or
``&#x27;``, ``&quot;`` or ``&#34;``) and how long a run of whitespace is (one space or a newline and
indentation). It does not ignore whether there is whitespace between two elements.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser


class _Reader(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.events: list[tuple] = []
        self._text: list[str] = []

    def _flush(self) -> None:
        text = re.sub(r"\s+", " ", "".join(self._text))
        if text:
            self.events.append(("text", text))
        self._text = []

    def handle_starttag(self, tag, attrs):
        self._flush()
        self.events.append(("start", tag, tuple(attrs)))

    def handle_endtag(self, tag):
        self._flush()
        self.events.append(("end", tag))

    def handle_data(self, data):
        self._text.append(data)

    def close(self):
        super().close()
        self._flush()


def html_events(markup: str) -> list[tuple]:
    reader = _Reader()
    reader.feed(str(markup))
    reader.close()
    return reader.events


def strip_outer_space(events: list[tuple]) -> list[tuple]:
    while events and events[0] == ("text", " "):
        events = events[1:]
    while events and events[-1] == ("text", " "):
        events = events[:-1]
    return events


def same_html(a: str, b: str) -> bool:
    return strip_outer_space(html_events(a)) == strip_outer_space(html_events(b))
