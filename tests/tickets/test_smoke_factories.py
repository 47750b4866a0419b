def test_ticket_factory_builds_a_ticket_with_its_first_message(ticket):
    """The factory's ticket has a requester, a team and one public message from the requester."""
    assert ticket.messages.count() == 1
    message = ticket.messages.get()
    assert message.author_customer == ticket.requester
    assert message.is_public
