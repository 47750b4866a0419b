"""``{% options %}``: the same <option> markup as the template renders, selection included,
rendered once per distinct list."""

from __future__ import annotations

from support.templatetags.jinja import render_partial
from tickets.templatetags import workspace
from tickets.templatetags.workspace import OPTIONS, options

AGENTS = [(1, "Ann <Ito>"), (2, "Ben & Co"), (12, "Cleo")]


def _template(choices, wanted) -> str:
    return str(render_partial(OPTIONS, {"choices": choices, "wanted": wanted}))


def test_output_is_the_templates_for_any_selection():
    for selected, wanted in (
        (None, set()),
        ("", set()),
        (2, {"2"}),
        ("12", {"12"}),
        ([1, "12"], {"1", "12"}),
        ("99", set()),  # a value not in the list selects nothing
    ):
        assert str(options(AGENTS, selected)) == _template(AGENTS, wanted), selected


def test_value_1_does_not_select_12():
    html = str(options(AGENTS, 1))
    assert '<option value="1" selected>' in html
    assert '<option value="12">' in html and '<option value="12" selected>' not in html


def test_labels_are_escaped():
    html = str(options(AGENTS))
    assert "Ann &lt;Ito&gt;" in html and "Ben &amp; Co" in html


def test_a_list_is_rendered_once_then_reused():
    workspace._rendered.cache_clear()
    options(AGENTS, 1)
    options([list(pair) for pair in AGENTS], 2)  # the same list, as the cache returns it
    info = workspace._rendered.cache_info()
    assert (info.misses, info.hits) == (1, 1)
    options([*AGENTS, (13, "Dana")])  # a changed list is a new entry
    assert workspace._rendered.cache_info().misses == 2
