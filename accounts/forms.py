from django import forms

from config.forms import TextField


class SignUpForm(forms.Form):
    name = TextField(max_length=150, required=False)
    email = forms.EmailField()
    password = TextField(widget=forms.PasswordInput, max_length=128, help_text="At least 10 characters.")
    organization_name = TextField(
        max_length=120,
        required=False,
        label="Organization (recruiters only)",
        help_text="Leave empty to practice on your own. Fill in to create your company's workspace and become its admin.",
    )


class InviteAcceptForm(forms.Form):
    name = TextField(max_length=150, required=False)
    password = TextField(widget=forms.PasswordInput, max_length=128, help_text="At least 10 characters.")
