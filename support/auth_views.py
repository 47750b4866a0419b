"""Sign in, sign out and password reset pages.

They live in the project package because a password reset mail goes out through the tickets
outbox (``email_queue``), and ``accounts`` must not import ``tickets``.
"""

from __future__ import annotations

import logging

from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.http import HttpResponse, HttpResponseRedirect
from django.template import loader
from django.urls import path, reverse, reverse_lazy
from django.utils.translation import gettext_lazy

from accounts import throttle
from accounts.branding import brand
from accounts.forms import ThrottledLoginForm

logger = logging.getLogger(__name__)
RESET_THROTTLED = gettext_lazy(
    "Too many password-reset requests for this address or from this network. Wait an hour and "
    "try again, or ask an administrator."
)
RESET_TEMPLATES = {
    "email_template_name": "accounts/password_reset_email.txt",
    "subject_template_name": "accounts/password_reset_subject.txt",
}

PORTAL_URL = "/portal/"


def landing_url(user) -> str:
    """Where a signed-in person belongs: agents in the workspace, product managers on the
    feedback list, customers in the portal."""
    if user.is_customer:
        return PORTAL_URL
    if user.is_product_manager:
        return reverse("feedback:item_list")
    return reverse("workspace:home")


class LoginView(auth_views.LoginView):
    template_name = "accounts/login.html"
    authentication_form = ThrottledLoginForm
    redirect_authenticated_user = True

    def form_invalid(self, form) -> HttpResponse:
        response = super().form_invalid(form)
        if form.has_error("__all__", code="throttled"):
            response.status_code = 429  # Too Many Requests, with the sentence on the page
        return response

    def get_success_url(self) -> str:
        user = self.request.user
        if user.is_customer:
            # This sign-in is for agents; customers work in the portal whatever ``next`` says.
            return PORTAL_URL
        return self.get_redirect_url() or landing_url(user)


class OutboxPasswordResetForm(PasswordResetForm):
    """Queues the reset mail in the outbox instead of sending it inside the request."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        from tickets.mail.outbound import email_queue

        context = {**context, "SITE_NAME": brand().site_name}
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        html = (
            loader.render_to_string(html_email_template_name, context)
            if html_email_template_name
            else ""
        )
        email_queue(
            kind="password_reset",
            to=[to_email],
            subject=subject,
            body_text=body,
            body_html=html,
            from_email=from_email,
            headers={"Auto-Submitted": "auto-generated"},
        )


def password_reset_mail(*, email: str, domain: str, use_https: bool) -> None:
    """Django's reset form's work — find the active accounts, make a link, queue the mail — run
    by a task (``support.tasks.send_password_reset``)."""
    form = OutboxPasswordResetForm(data={"email": email})
    if form.is_valid():
        form.save(domain_override=domain, use_https=use_https, **RESET_TEMPLATES)


class PasswordResetView(auth_views.PasswordResetView):
    """Answers the same, in the same time, for any address: the request only counts the limits
    (per address asked for and per client; 429 over them) and queues a task that does the
    lookup and the mail."""

    form_class = OutboxPasswordResetForm
    template_name = "accounts/password_reset_form.html"
    success_url = reverse_lazy("password_reset_done")

    def form_valid(self, form) -> HttpResponse:
        email = form.cleaned_data["email"]
        if not throttle.reset_allowed(email=email, ip=throttle.client_ip(self.request)):
            form.add_error(None, RESET_THROTTLED)
            return self.render_to_response(self.get_context_data(form=form), status=429)
        from support.tasks import send_password_reset

        try:
            send_password_reset.delay(email, self.request.get_host(), self.request.is_secure())
        except Exception:  # the broker is down: the person asks again; nothing else is lost
            logger.exception("Could not queue the password-reset mail")
        return HttpResponseRedirect(self.get_success_url())


class PasswordResetConfirmView(auth_views.PasswordResetConfirmView):
    """A new password set through the mailed link also ends a sign-in lockout."""

    template_name = "accounts/password_reset_confirm.html"
    success_url = reverse_lazy("password_reset_complete")

    def form_valid(self, form) -> HttpResponse:
        response = super().form_valid(form)
        throttle.login_unlock(email=self.user.email)
        return response


urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("password-reset/", PasswordResetView.as_view(), name="password_reset"),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "password-reset/done/",
        auth_views.PasswordResetCompleteView.as_view(
            template_name="accounts/password_reset_complete.html"
        ),
        name="password_reset_complete",
    ),
]
