"""Administering the people who work in Switchboard: invite an agent or admin by mail (they set
their own password from the link), deactivate and reactivate (history stays theirs).

It lives in ``tickets`` rather than ``accounts`` because the invitation is mailed through the
tickets outbox, and ``accounts`` must not import ``tickets``.
"""

from __future__ import annotations

from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from accounts.branding import brand
from accounts.models import Role, Team, User
from accounts.services import team_add_member, user_create
from support.errors import InvalidChange, NotPermitted, ValidationFailed
from tickets.mail.outbound import email_queue

STAFF_ROLES = (Role.AGENT, Role.ADMIN)


def _require_admin(by: User) -> None:
    if not by.is_active or not by.is_admin:
        raise NotPermitted(_("Only admins can manage users."))


def set_password_url(user: User) -> str:
    """A one-time link to choose a password (Django's reset token: it expires after
    ``PASSWORD_RESET_TIMEOUT`` and is spent once a password is set or the user signs in)."""
    uid = urlsafe_base64_encode(force_bytes(user.pk))
    token = default_token_generator.make_token(user)
    path = reverse("password_reset_confirm", kwargs={"uidb64": uid, "token": token})
    return f"{settings.SITE_URL.rstrip('/')}{path}"


@transaction.atomic
def staff_invite(
    *, email: str, name: str = "", role: str = Role.AGENT, teams: Iterable[Team] = (), by: User
) -> User:
    """Create an agent or admin without a password, add them to ``teams`` and mail them a link
    to set one (queued in the outbox, sent after commit). No admin ever types a password."""
    _require_admin(by)
    if role not in STAFF_ROLES:
        raise ValidationFailed(_("Invite an agent or an admin."), field="role")
    if not email.strip():
        raise ValidationFailed(_("Type the address to send the invitation to."), field="email")
    user = user_create(email=email, name=name.strip(), role=role, password=None)
    for team in teams:
        team_add_member(team=team, user=user)
    staff_send_invitation(user=user, by=by)
    return user


def staff_send_invitation(*, user: User, by: User) -> None:
    """(Re)send the set-password link, e.g. when the first mail was lost or the link expired."""
    _require_admin(by)
    if not user.is_active:
        raise InvalidChange(
            _("%(email)s is deactivated; reactivate them first.") % {"email": user.email}
        )
    _mail_set_password_link(
        user=user,
        by=by,
        kind="invite",
        subject=f"{by.display_name} invited you to {brand().site_name}",
        template="mail/invite",
    )


def _mail_set_password_link(
    *, user: User, by: User, kind: str, subject: str, template: str
) -> None:
    """Queue a mail carrying a one-time link to choose a password (an invitation, a reset)."""
    context = {
        "user": user,
        "by": by,
        "link": set_password_url(user),
        "site_name": brand().site_name,
        "site_url": settings.SITE_URL,
    }
    email_queue(
        kind=kind,
        to=[user.email],
        subject=subject,
        body_text=render_to_string(f"{template}.txt", context),
        body_html=render_to_string(f"{template}.html", context),
        headers={"Auto-Submitted": "auto-generated"},
    )


@transaction.atomic
def staff_set_active(*, user: User, active: bool, by: User) -> User:
    """Deactivate (they can't sign in, aren't assigned, their tickets and messages stay
    theirs) or reactivate a user. Nobody deactivates themselves."""
    _require_admin(by)
    if user.pk == by.pk and not active:
        raise InvalidChange(_("You can't deactivate yourself; ask another admin."))
    if user.role not in STAFF_ROLES and user.role != Role.PRODUCT_MANAGER:
        raise InvalidChange(_("Customers are managed as contacts, not here."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    return user


ROLES_GIVEN_HERE = (Role.AGENT, Role.ADMIN, Role.PRODUCT_MANAGER)


@transaction.atomic
def staff_set_role(*, user: User, role: str, by: User) -> User:
    """Give someone who works here another role (agent, admin, product manager). The change of
    powers ends every session they hold (``User.get_session_auth_hash``). Nobody changes their own
    role, so the last admin can't lock everyone out by accident."""
    _require_admin(by)
    if role not in ROLES_GIVEN_HERE:
        raise ValidationFailed(_("Choose agent, admin or product manager."), field="role")
    if user.role == Role.CUSTOMER:
        raise InvalidChange(_("Customers are managed as contacts, not here."))
    if user.pk == by.pk:
        raise InvalidChange(_("You can't change your own role; ask another admin."))
    if user.role != role:
        user.role = role
        user.save(update_fields=["role"])
    return user


@transaction.atomic
def staff_reset_sign_in(*, user: User, by: User) -> None:
    """A lost password or a device left signed in: the old password stops working, every session
    ends, and the person gets a one-time link to choose a new one (queued in the outbox)."""
    _require_admin(by)
    if not user.is_active:
        raise InvalidChange(
            _("%(email)s is deactivated; reactivate them first.") % {"email": user.email}
        )
    if user.role == Role.CUSTOMER:
        raise InvalidChange(_("Customers sign in through the portal, not here."))
    user.set_unusable_password()
    user.save(update_fields=["password"])
    _mail_set_password_link(
        user=user,
        by=by,
        kind="password_reset",
        subject=f"Choose a new password for {brand().site_name}",
        template="mail/sign_in_reset",
    )
