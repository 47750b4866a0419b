"""Sign in, sign out and password reset pages.

They live in the project package because a password reset mail goes out through the tickets
outbox (``email_queue``), and ``accounts`` must not import ``tickets``.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth import views as auth_views
from django.contrib.auth.forms import PasswordResetForm
from django.template import loader
from django.urls import path, reverse, reverse_lazy

from accounts.forms import ThrottledLoginForm

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

        context = {**context, "SITE_NAME": settings.SITE_NAME}
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


urlpatterns = [
    path("login/", LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            form_class=OutboxPasswordResetForm,
            template_name="accounts/password_reset_form.html",
            email_template_name="accounts/password_reset_email.txt",
            subject_template_name="accounts/password_reset_subject.txt",
            success_url=reverse_lazy("password_reset_done"),
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "password-reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("password_reset_complete"),
        ),
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
