"""Forms of the pages."""

from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class SignInForm(AuthenticationForm):
    """Sign-in with translated, specific messages."""

    error_messages = {
        "invalid_login": _(
            "The user name or password is not correct. Note that both are case-sensitive."
        ),
        "inactive": _("This account is inactive."),
    }
