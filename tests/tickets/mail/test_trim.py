import pytest

from tickets.mail.trim import REPLY_MARKER, trim_html, trim_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Thanks!\n\nOn Mon, 3 Jun 2024, Support <s@x> wrote:\n> old", "Thanks!"),
        ("Thanks!\n\nOn Mon, 3 Jun 2024 at 10:00, Support <s@x>\nwrote:\n> old", "Thanks!"),
        ("Merci\n\nLe lun. 3 juin 2024, Support a écrit :\n> old", "Merci"),
        ("Danke\n\nAm 03.06.2024 um 10:00 schrieb Support <s@x>:\n> alt", "Danke"),
        ("Ok\n\nFrom: Support <s@x>\nSent: Monday\nTo: me\nSubject: x\n\nold", "Ok"),
        ("Ok\n\n-----Original Message-----\nFrom: x\n\nold", "Ok"),
        ("Ok\n\n*From:* Support\n*Sent:* Monday\n\nold", "Ok"),
        ("Short answer\n\n-- \nJane Doe\nACME", "Short answer"),
        ("Yes\n\nSent from my iPhone", "Yes"),
        ("Top\n\n" + REPLY_MARKER + "\n\nour old mail", "Top"),
        ("> quoted question\n\nBottom-posted answer", "> quoted question\n\nBottom-posted answer"),
        ("Answer\n\n> quoted\n> more", "Answer"),
        ("> only a quote", "> only a quote"),
        (
            "From: a person in the body is fine\nand more text",
            "From: a person in the body is fine\nand more text",
        ),  # noqa: E501
    ],
)
def test_trim_text(text, expected):
    assert trim_text(text) == expected


def test_trim_html_cuts_known_quote_containers():
    assert trim_html('<p>Hi</p><div class="gmail_quote">old</div>') == "<p>Hi</p>"
    assert trim_html('<p>Hi</p><blockquote type="cite">old</blockquote>') == "<p>Hi</p>"
    assert trim_html('<p>Hi</p><div id="divRplyFwdMsg">old</div>') == "<p>Hi</p>"
    assert trim_html(f"<p>Hi</p><p>{REPLY_MARKER}</p>").startswith("<p>Hi</p>")
    # nothing before the quote: keep everything rather than show nothing
    assert trim_html('<div class="gmail_quote">only</div>') == '<div class="gmail_quote">only</div>'
