"""Password pages: change (signed in) and reset by e-mail, on Django's views with our forms."""

from django.contrib.auth import views as auth_views
from django.urls import path

from czesg.accounts.forms import EmailResetPasswordForm, OwnPasswordChangeForm

urlpatterns = [
    path("accounts/password/change/",
         auth_views.PasswordChangeView.as_view(form_class=OwnPasswordChangeForm),
         name="password_change"),
    path("accounts/password/change/done/", auth_views.PasswordChangeDoneView.as_view(),
         name="password_change_done"),
    path("accounts/password/reset/", auth_views.PasswordResetView.as_view(
        subject_template_name="registration/password_reset_subject.txt",
        email_template_name="registration/password_reset_email.txt",
    ), name="password_reset"),
    path("accounts/password/reset/sent/", auth_views.PasswordResetDoneView.as_view(),
         name="password_reset_done"),
    path("accounts/password/reset/<uidb64>/<token>/",
         auth_views.PasswordResetConfirmView.as_view(form_class=EmailResetPasswordForm),
         name="password_reset_confirm"),
    path("accounts/password/reset/complete/", auth_views.PasswordResetCompleteView.as_view(),
         name="password_reset_complete"),
]
