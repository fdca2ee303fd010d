"""Password forms whose save goes through the account actions (audited, locks lifted)."""

from __future__ import annotations

from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm

from czesg.accounts import actions


class OwnPasswordChangeForm(PasswordChangeForm):
    """A signed-in user changes their own password."""

    def save(self, commit: bool = True):
        """Set the password through the action (the view keeps this session signed in)."""
        actions.set_password(self.user, self.cleaned_data["new_password1"], actor=self.user,
                             reason="changed_by_owner")
        return self.user


class EmailResetPasswordForm(SetPasswordForm):
    """A user sets a new password from the link of a reset e-mail."""

    def save(self, commit: bool = True):
        """Set the password through the action; every session of the account ends."""
        actions.set_password(self.user, self.cleaned_data["new_password1"], actor=self.user,
                             reason="reset_by_email")
        return self.user
