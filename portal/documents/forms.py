from django import forms
from django.utils.translation import gettext_lazy as _

from .models import UploadKind


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=UploadKind.choices, initial=UploadKind.GENERAL)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, images, Excel (xlsx), Word (docx), CSV or text (UTF-8), or a zip archive."),
    )
