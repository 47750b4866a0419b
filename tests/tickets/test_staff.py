"""Administration in the app: admins invite agents and admins by mail (a set-password link, no
password typed by anyone else), resend, deactivate and reactivate; Django's /admin/ is for
superusers only."""

from __future__ import annotations

import re

import pytest
from django.core import mail as django_mail
from django.urls import reverse

from accounts.models import Role, Team, User
from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tests import factories
from tests.tickets.mail.conftest import run_on_commit
from tickets.mail.models import OutboundEmail
from tickets.staff import services

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _mail(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    settings.SITE_URL = "http://testserver"


def _link(message) -> str:
    return re.search(r"http://testserver(/\S+)", message.body).group(1)


def test_an_invited_agent_sets_a_password_from_the_mail_and_signs_in(client, admin_user, team):
    with run_on_commit():
        user = services.staff_invite(
            email="New.Agent@example.com", name="Nia Agent", teams=[team], by=admin_user
        )
    assert user.role == Role.AGENT and not user.has_usable_password()
    assert list(user.teams.all()) == [team]
    assert OutboundEmail.objects.get(kind="invite").to == ["new.agent@example.com"]
    [message] = django_mail.outbox
    assert "invited you" in message.subject
    link = client.get(_link(message), follow=True)
    assert link.status_code == 200
    form_url = link.redirect_chain[-1][0] if link.redirect_chain else _link(message)
    done = client.post(
        form_url,
        {"new_password1": "a-long-new-password-1", "new_password2": "a-long-new-password-1"},
    )
    assert done.status_code == 302
    user.refresh_from_db()
    assert user.check_password("a-long-new-password-1")
    assert client.login(username="new.agent@example.com", password="a-long-new-password-1")


def test_only_admins_invite_and_only_agents_or_admins(admin_user, agent):
    with pytest.raises(NotPermitted):
        services.staff_invite(email="x@example.com", by=agent)
    with pytest.raises(ValidationFailed, match="agent or an admin"):
        services.staff_invite(email="x@example.com", role=Role.CUSTOMER, by=admin_user)
    with pytest.raises(ValidationFailed, match="already exists"):
        services.staff_invite(email=agent.email, by=admin_user)
    assert not User.objects.filter(email="x@example.com").exists()


def test_deactivate_keeps_the_user_and_nobody_deactivates_themselves(admin_user, agent):
    services.staff_set_active(user=agent, active=False, by=admin_user)
    agent.refresh_from_db()
    assert not agent.is_active
    with pytest.raises(InvalidChange):
        services.staff_send_invitation(user=agent, by=admin_user)
    with pytest.raises(InvalidChange, match="yourself"):
        services.staff_set_active(user=admin_user, active=False, by=admin_user)


def test_the_users_page_invites_and_shows_errors_at_the_field(client, admin_user, team):
    client.force_login(admin_user)
    url = reverse("staff:users")
    assert client.get(url).status_code == 200
    bad = client.post(url, {"email": "", "name": "X", "role": "agent"})
    assert bad.status_code == 400 and 'id="e-email"' in bad.content.decode()
    with run_on_commit():
        ok = client.post(
            url, {"email": "ada@example.com", "name": "Ada", "role": "admin", "teams": [team.pk]}
        )
    assert ok.status_code == 302
    ada = User.objects.get(email="ada@example.com")
    assert ada.role == Role.ADMIN and list(ada.teams.all()) == [team]
    page = client.get(url).content.decode()
    assert "invited, no password yet" in page and "Resend invitation" in page
    with run_on_commit():
        client.post(reverse("staff:user_action", args=[ada.pk, "invite"]))
    assert OutboundEmail.objects.filter(kind="invite", to=["ada@example.com"]).count() == 2
    client.post(reverse("staff:user_action", args=[ada.pk, "deactivate"]))
    ada.refresh_from_db()
    assert not ada.is_active


def test_agents_customers_and_visitors_cannot_open_the_users_page(client, agent):
    url = reverse("staff:users")
    assert client.get(url).status_code == 302
    client.force_login(agent)
    assert client.get(url).status_code == 403
    assert client.post(url, {"email": "x@example.com", "role": "admin"}).status_code == 403
    target = factories.AgentFactory()
    response = client.post(reverse("staff:user_action", args=[target.pk, "deactivate"]))
    assert response.status_code == 403
    target.refresh_from_db()
    assert target.is_active and not User.objects.filter(email="x@example.com").exists()


def test_users_page_query_count_is_constant(client, admin_user, django_assert_max_num_queries):
    client.force_login(admin_user)
    url = reverse("staff:users")
    factories.AgentFactory.create_batch(3, teams=[factories.TeamFactory()])
    client.get(url)
    with django_assert_max_num_queries(30) as few:
        client.get(url)
    baseline = len(few.captured_queries)  # (the next request clears Django's query log)
    factories.AgentFactory.create_batch(12, teams=[factories.TeamFactory()])
    client.get(url)
    with django_assert_max_num_queries(baseline):
        client.get(url)


def test_django_admin_is_for_superusers_only(client, admin_user):
    client.force_login(admin_user)
    response = client.get("/admin/")
    assert response.status_code == 302 and "/admin/login/" in response["Location"]
    page = client.get(reverse("workspace:home"), follow=True).content.decode()
    assert "Django admin" not in page and reverse("staff:users") in page
    admin_user.superuser = True
    admin_user.save(update_fields=["superuser"])
    # A change of powers ends the person's sessions (issue 20): they sign in again.
    assert client.get("/admin/").status_code == 302
    client.force_login(admin_user)
    assert client.get("/admin/").status_code == 200
    assert User.objects.create_superuser("root@example.com", "pw-123456789").is_superuser


# --- teams ----------------------------------------------------------------------------------


def test_admin_creates_a_team_adds_members_sets_a_lead_and_renames_it(client, admin_user, agent):
    client.force_login(admin_user)
    created = client.post(reverse("staff:teams"), {"name": "Returns", "email": ""})
    assert created.status_code == 302
    team = Team.objects.get(name="Returns")
    url = reverse("staff:team", args=[team.pk])
    assert client.post(url, {"action": "add", "user": agent.pk}).status_code == 302
    assert list(team.members.all()) == [agent]
    saved = client.post(
        url,
        {
            "action": "save",
            "name": "Returns & refunds",
            "email": "Returns@Example.com",
            "lead": agent.pk,
        },
    )
    assert saved.status_code == 302
    team.refresh_from_db()
    assert (team.name, team.email, team.lead) == ("Returns & refunds", "returns@example.com", agent)
    client.post(url, {"action": "remove", "user": agent.pk})
    team.refresh_from_db()
    assert team.lead is None and not team.members.exists()
    page = client.get(reverse("staff:teams")).content.decode()
    assert "Returns &amp; refunds" in page


def test_team_errors_are_shown_at_the_field(client, admin_user, team):
    client.force_login(admin_user)
    other = factories.TeamFactory(name="Billing and more")
    response = client.post(reverse("staff:teams"), {"name": other.name.upper()})
    assert response.status_code == 400 and 'id="e-name"' in response.content.decode()
    url = reverse("staff:team", args=[team.pk])
    customer = factories.CustomerUserFactory()
    response = client.post(url, {"action": "add", "user": customer.pk})
    assert response.status_code == 400
    assert "Only agents and admins" in response.content.decode()
    stranger = factories.AgentFactory()
    response = client.post(url, {"action": "save", "name": team.name, "lead": stranger.pk})
    assert response.status_code == 302  # not a member: not offered, so no lead
    team.refresh_from_db()
    assert team.lead is None


def test_agents_cannot_manage_teams(client, agent, team):
    client.force_login(agent)
    assert client.get(reverse("staff:teams")).status_code == 403
    url = reverse("staff:team", args=[team.pk])
    assert client.post(url, {"action": "remove", "user": agent.pk}).status_code == 403
    assert team.members.filter(pk=agent.pk).exists()


def test_team_pages_query_count_is_constant(
    client, admin_user, team, django_assert_max_num_queries
):
    client.force_login(admin_user)
    urls = [reverse("staff:teams"), reverse("staff:team", args=[team.pk])]
    factories.AgentFactory.create_batch(2, teams=[team])
    counts = {}
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(30) as captured:
            client.get(url)
        counts[url] = len(captured)
    factories.AgentFactory.create_batch(10, teams=[team, factories.TeamFactory()])
    for url in urls:
        client.get(url)
        with django_assert_max_num_queries(counts[url]):
            client.get(url)


def test_an_admin_changes_a_role_which_ends_the_persons_sessions(client, admin_user, agent):
    from django.test import Client

    theirs = Client()
    theirs.force_login(agent)
    assert theirs.get(reverse("workspace:queue", args=["all"])).status_code == 200
    client.force_login(admin_user)
    url = reverse("staff:user_action", args=[agent.pk, "role"])
    response = client.post(url, {"role": "admin"}, follow=True)
    assert "is now Admin." in response.content.decode()
    agent.refresh_from_db()
    assert agent.role == Role.ADMIN
    # A change of powers signs them out: their old session no longer opens the workspace.
    assert theirs.get(reverse("workspace:queue", args=["all"])).status_code == 302
    response = client.post(url, {"role": "customer"}, follow=True)
    assert "Choose agent, admin or product manager." in response.content.decode()
    own = client.post(
        reverse("staff:user_action", args=[admin_user.pk, "role"]), {"role": "agent"}, follow=True
    )
    assert "change your own role; ask another admin" in own.content.decode()
    admin_user.refresh_from_db()
    assert admin_user.role == Role.ADMIN
    with pytest.raises(NotPermitted):
        services.staff_set_role(user=admin_user, role=Role.AGENT, by=factories.AgentFactory())


def test_resetting_a_sign_in_ends_the_password_and_mails_a_link(client, admin_user, agent):
    agent.set_password("the-old-password-1")
    agent.save()
    client.force_login(admin_user)
    with run_on_commit():
        response = client.post(reverse("staff:user_action", args=[agent.pk, "reset"]), follow=True)
    assert "signed out everywhere" in response.content.decode()
    agent.refresh_from_db()
    assert not agent.has_usable_password()
    assert OutboundEmail.objects.get(kind="password_reset").to == [agent.email]
    [message] = django_mail.outbox
    assert "Choose a new password" in message.subject
    stranger = type(client)()
    link = stranger.get(_link(message), follow=True)
    form_url = link.redirect_chain[-1][0] if link.redirect_chain else _link(message)
    done = stranger.post(
        form_url,
        {"new_password1": "a-long-new-password-2", "new_password2": "a-long-new-password-2"},
    )
    assert done.status_code == 302
    agent.refresh_from_db()
    assert agent.check_password("a-long-new-password-2")
    agent.is_active = False
    agent.save()
    with pytest.raises(InvalidChange):
        services.staff_reset_sign_in(user=agent, by=admin_user)
