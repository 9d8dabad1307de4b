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


# -- the organization's pages (settings, team, webhooks) -----------------------------------


class LlmBudgetForm(forms.Form):
    llm_budget_usd = forms.DecimalField(
        label="LLM grading budget per month (US dollars)",
        required=False,
        min_value=0,
        max_digits=10,
        decimal_places=2,
        help_text="Leave empty for no limit. Counted per calendar month (UTC).",
        widget=forms.NumberInput(attrs={"step": "0.01", "min": "0", "inputmode": "decimal"}),
        error_messages={
            "invalid": "Enter an amount in dollars, like 25 or 12.50.",
            "min_value": "Enter zero or more.",
            "max_digits": "Enter at most 8 digits before the decimal point.",
            "max_decimal_places": "Enter at most 2 digits after the decimal point (cents).",
            "max_whole_digits": "Enter at most 8 digits before the decimal point.",
        },
    )


MEMBER_ROLES = [("recruiter", "Recruiter"), ("org_admin", "Organization admin")]


class TeamInviteForm(forms.Form):
    email = forms.EmailField(
        label="Email address",
        max_length=254,
        widget=forms.EmailInput(attrs={"autocomplete": "off"}),
        error_messages={
            "required": "Enter the email address to invite.",
            "invalid": "Enter a valid email address, like name@example.com.",
        },
    )
    role = forms.ChoiceField(label="Role", choices=MEMBER_ROLES, initial="recruiter")


class MemberRoleForm(forms.Form):
    role = forms.ChoiceField(label="Role", choices=MEMBER_ROLES)


class WebhookEndpointForm(forms.Form):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="Where the events are POSTed, e.g. https://hooks.example.com/mockloop.",
        widget=forms.URLInput(attrs={"placeholder": "https://", "autocomplete": "off"}),
        error_messages={
            "required": "Enter the URL to send events to.",
            "invalid": "Enter a full URL, like https://example.com/hook.",
        },
    )
    events = forms.MultipleChoiceField(
        label="Events",
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Choose at least one event."},
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        from accounts.models import WebhookEvent

        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.fields["events"].choices = WebhookEvent.choices


class WebhookRotateForm(forms.Form):
    grace_hours = forms.IntegerField(
        label="Hours the old secret keeps working",
        min_value=0,
        max_value=72,
        help_text="From 0 to 72. During them every delivery is signed with both secrets.",
        error_messages={
            "required": "Enter a number of hours from 0 to 72.",
            "invalid": "Enter a whole number of hours from 0 to 72.",
            "min_value": "Enter a number of hours from 0 to 72.",
            "max_value": "Enter a number of hours from 0 to 72.",
        },
    )
