from __future__ import annotations

import functools
import zoneinfo

from django.conf import settings
from django.contrib.auth.base_user import AbstractBaseUser, BaseUserManager
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models.functions import Lower
from django.utils.crypto import salted_hmac
from django.utils.translation import gettext, pgettext_lazy
from django.utils.translation import gettext_lazy as _

from support import clock


@functools.cache
def known_time_zones() -> frozenset[str]:
    # available_timezones() walks the tz database on disk on every call.
    return frozenset(zoneinfo.available_timezones())


def validate_time_zone(value: str) -> None:
    if value not in known_time_zones():
        raise ValidationError(
            gettext("%(value)s is not a known time zone.") % {"value": repr(value)}
        )


class Role(models.TextChoices):
    ADMIN = "admin", pgettext_lazy("role", "Admin")
    AGENT = "agent", pgettext_lazy("role", "Agent")
    CUSTOMER = "customer", pgettext_lazy("role", "Customer")
    PRODUCT_MANAGER = "product_manager", pgettext_lazy("role", "Product manager")


class Availability(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AssignmentMode(models.TextChoices):
    OFF = "off", _("Off")
    ROUND_ROBIN = "round_robin", _("Round robin")
    LEAST_OPEN = "least_open", _("Least open tickets")


class UserManager(BaseUserManager["User"]):
    use_in_migrations = True

    def get_by_natural_key(self, username: str) -> User:
        # Email is the login and is matched without regard to case.
        return self.get(email__iexact=username)

    def create_user(self, email: str, password: str | None = None, **fields) -> User:
        if not email:
            raise ValueError("A user needs an email address.")
        user = self.model(email=normalize_email(email), **fields)
        user.set_password(password)
        user.full_clean(exclude=["password"])
        user.save(using=self._db)
        return user

    def create_superuser(self, email: str, password: str | None = None, **fields) -> User:
        fields["role"] = Role.ADMIN
        fields["superuser"] = True
        return self.create_user(email, password, **fields)


def normalize_email(email: str) -> str:
    return email.strip().lower()


class User(AbstractBaseUser):
    email = models.EmailField(max_length=254)
    name = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=16, choices=Role.choices, default=Role.AGENT)
    time_zone = models.CharField(max_length=64, default="UTC", validators=[validate_time_zone])
    locale = models.CharField(max_length=16, default="en")
    is_active = models.BooleanField(default=True)
    # Django's /admin/ is a repair tool for superusers only (``manage.py createsuperuser``);
    # admins run the product from the administration pages in the app.
    superuser = models.BooleanField(default=False)
    availability = models.CharField(
        max_length=16, choices=Availability.choices, default=Availability.OFFLINE
    )
    # When the availability last changed: an agent away for long enough gets their tickets
    # returned to the team (auto-assignment, per team).
    availability_changed_at = models.DateTimeField(default=clock.now)
    # The last heartbeat of an open workspace page (or the agent choosing an availability): an
    # agent online without one for AGENT_AWAY_AFTER_SECONDS is set away (accounts.services).
    last_seen_at = models.DateTimeField(default=clock.now)
    # How many open tickets an agent takes at once; 0 means no limit.
    capacity = models.PositiveSmallIntegerField(default=0)
    date_joined = models.DateTimeField(default=clock.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS: list[str] = []

    class Meta:
        constraints = [
            models.UniqueConstraint(
                Lower("email"),
                name="user_email_ci_unique",
                violation_error_message="A user with this email address already exists.",
            ),
            models.CheckConstraint(
                condition=models.Q(role__in=Role.values), name="user_role_valid"
            ),
        ]

    def __str__(self) -> str:
        return self.name or self.email

    # A session carries this hash; Django signs the session out when it no longer matches. Django
    # hashes the password alone; the role and the superuser flag are added, so a change of what
    # a person may do ends every session they hold, and the next sign-in gets a new session key.
    def get_session_auth_hash(self) -> str:
        return self._session_hash(secret=None)

    def get_session_auth_fallback_hash(self):
        for secret in settings.SECRET_KEY_FALLBACKS:
            yield self._session_hash(secret=secret)

    def _session_hash(self, *, secret: str | None) -> str:
        value = f"{self.password}\x00{self.role}\x00{int(self.superuser)}"
        return salted_hmac(
            "accounts.User.session_auth_hash", value, secret=secret, algorithm="sha256"
        ).hexdigest()

    @property
    def display_name(self) -> str:
        return self.name or self.email.split("@")[0]

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN

    @property
    def is_agent(self) -> bool:
        """Admins work tickets too; both count as agents."""
        return self.role in (Role.ADMIN, Role.AGENT)

    @property
    def is_customer(self) -> bool:
        return self.role == Role.CUSTOMER

    @property
    def is_product_manager(self) -> bool:
        """Product managers read feedback and reports; they don't work tickets."""
        return self.role == Role.PRODUCT_MANAGER

    # Django admin access (/admin/): active admins flagged as superusers only.
    @property
    def is_staff(self) -> bool:
        return self.is_active and self.is_admin and self.superuser

    @property
    def is_superuser(self) -> bool:
        return self.is_staff

    def has_perm(self, perm: str, obj=None) -> bool:
        return self.is_staff

    def has_perms(self, perm_list, obj=None) -> bool:
        return self.is_staff

    def has_module_perms(self, app_label: str) -> bool:
        return self.is_staff


class Team(models.Model):
    name = models.CharField(max_length=100, unique=True)
    email = models.EmailField(
        blank=True, help_text="Address replies for this team are sent from, if not the default."
    )
    lead = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="led_teams"
    )
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    created_at = models.DateTimeField(default=clock.now)
    # Auto-assignment (tickets.assignment): how new and unassigned tickets of the team find an
    # online agent with room, and after how many minutes away an agent's tickets go back to the
    # team (0: never).
    assignment_mode = models.CharField(
        max_length=16, choices=AssignmentMode.choices, default=AssignmentMode.OFF
    )
    return_after_minutes = models.PositiveIntegerField(
        default=0,
        help_text="Return the open tickets of an agent away or offline this long (0: never).",
    )
    # Round robin: the agent assigned last; the next turn goes to the next member after them.
    last_assigned_to = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", editable=False
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assignment_mode__in=AssignmentMode.values),
                name="team_assignment_mode_valid",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class ApiToken(models.Model):
    """A personal API token. Only a SHA-256 digest is stored; the token is shown once.

    Tokens are long random strings, so a fast digest is enough (no password hashing needed) and
    lets a request find its token with one indexed lookup.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    # The first characters of the token, shown in lists so people can tell tokens apart.
    prefix = models.CharField(max_length=16)
    digest = models.CharField(max_length=64, unique=True)
    read_only = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=clock.now)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None


class ApiIdempotencyKey(models.Model):
    """The first response to a POST carrying an ``Idempotency-Key``, replayed on a retry."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=8)
    path = models.CharField(max_length=500)
    request_digest = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response_body = models.TextField(blank=True)
    response_headers = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=clock.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="idempotency_user_key_unique")
        ]
        indexes = [models.Index(fields=["created_at"], name="idempotency_created_idx")]

    def __str__(self) -> str:
        return f"{self.key} for {self.user_id}"


from accounts.branding import SiteBranding  # noqa: E402, F401
