"""theme/includes/form_fields.html: each field labelled, described, marked if required; errors announced."""

from django import forms
from django.template.loader import render_to_string
from django.utils import translation


class ExampleForm(forms.Form):
    reference = forms.CharField(label="Reference", help_text="As printed on the order.")
    note = forms.CharField(label="Note", required=False, widget=forms.Textarea)
    urgent = forms.BooleanField(label="Urgent", required=False)
    roles = forms.MultipleChoiceField(
        label="Roles",
        choices=[("sales", "Sales"), ("finance", "Finance")],
        widget=forms.CheckboxSelectMultiple,
    )
    token = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean(self):
        raise forms.ValidationError("The order is closed.")


def render(form) -> str:
    with translation.override("en"):
        return render_to_string("theme/includes/form_fields.html", {"form": form})


def test_fields_have_labels_help_and_required_markers():
    html = render(ExampleForm())

    assert '<label for="id_reference">Reference<span class="required-mark" aria-hidden="true">*</span></label>' in html
    assert 'aria-describedby="id_reference_helptext"' in html
    assert '<div class="help" id="id_reference_helptext">As printed on the order.</div>' in html
    assert '<label for="id_note">Note</label>' in html
    assert '<div class="checkbox">' in html and '<label for="id_urgent">Urgent</label>' in html
    assert "<legend>Roles" in html and '<span class="sr-only">(required)</span>' in html
    assert '<div class="checkbox-list">' in html
    assert '<input type="hidden" name="token" id="id_token">' in html
    assert "form-errors" not in html


def test_errors_are_announced_and_linked_to_their_field():
    form = ExampleForm(data={"reference": "", "roles": []})
    form.is_valid()

    html = render(form)

    assert (
        '<div class="form-errors" role="alert">'
        '<ul class="errorlist nonfield"><li>The order is closed.</li></ul></div>' in html
    )
    assert 'aria-invalid="true"' in html
    assert 'aria-describedby="id_reference_helptext id_reference_error"' in html
    assert '<ul class="errorlist" id="id_reference_error"><li>This field is required.</li></ul>' in html
    assert 'class="field field-text has-error is-required"' in html
