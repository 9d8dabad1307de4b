from django import forms

from config.forms import TextField


class SignUpForm(forms.Form):
    name = TextField(max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    email = forms.EmailField(
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={
            "required": "Enter your email address.",
            "invalid": "Enter a valid email address, like name@example.com.",
        },
    )
    password = TextField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=128,
        help_text="At least 10 characters.",
        error_messages={"required": "Choose a password."},
    )
    organization_name = TextField(
        max_length=120,
        required=False,
        label="Organization (recruiters only)",
        help_text="Leave empty to practice on your own. Fill in to create your company's workspace and become its admin.",
        widget=forms.TextInput(attrs={"autocomplete": "organization"}),
    )


class InviteAcceptForm(forms.Form):
    name = TextField(max_length=150, required=False, widget=forms.TextInput(attrs={"autocomplete": "name"}))
    password = TextField(
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        max_length=128,
        help_text="At least 10 characters.",
        error_messages={"required": "Choose a password."},
    )
