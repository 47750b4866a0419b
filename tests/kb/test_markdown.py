"""Article bodies are Markdown rendered and sanitized: nothing a hostile author writes runs."""

from __future__ import annotations

import pytest

from kb.markdown import render

HOSTILE = [
    ("<script>alert(1)</script>Hi", ["<script", "alert(1)"]),
    ('<img src="x.png" onerror="alert(1)">', ["onerror", "alert"]),
    ('<a href="javascript:alert(1)">click</a>', ["javascript:"]),
    ("[click](javascript:alert(1))", ["href"]),
    ('<iframe src="https://evil.example/"></iframe>', ["<iframe", "evil.example"]),
    ('<div onclick="steal()">x</div>', ["onclick", "steal"]),
    ('<a href="JaVaScRiPt:alert(1)">x</a>', ["javascript", "JaVaScRiPt"]),
    ("<style>body{display:none}</style>", ["<style", "display:none"]),
    ('<img src="data:text/html;base64,PHNjcmlwdD4=">', ["data:"]),
    ("<svg><script>alert(1)</script></svg>", ["<svg", "<script"]),
    ('<form action="https://evil.example"><input name="pw"></form>', ["<form", "<input"]),
]


@pytest.mark.parametrize(("source", "forbidden"), HOSTILE)
def test_hostile_markup_is_neutralised(source, forbidden):
    html = render(source)
    for bad in forbidden:
        assert bad not in html, html


def test_markdown_renders_headings_lists_tables_code_and_safe_links():
    html = render(
        "# Title\n\n## Steps\n\n1. Open **Settings**\n2. Click `Export`\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n[Docs](https://example.com/docs) <kbd>?</kbd>"
    )
    assert "<h2>Title</h2>" in html  # the page's h1 is the article title
    assert "<ol>" in html and "<strong>Settings</strong>" in html and "<code>Export</code>" in html
    assert "<table>" in html and "<td>1</td>" in html
    assert (
        'href="https://example.com/docs"' in html and 'rel="noopener noreferrer nofollow"' in html
    )
    assert "<kbd>?</kbd>" in html


def test_relative_links_to_other_articles_survive():
    assert 'href="/help/articles/en/x/"' in render("[x](/help/articles/en/x/)")
