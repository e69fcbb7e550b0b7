from django import forms
from django.utils.translation import gettext_lazy as _

from .models import UploadKind
from .services import ALLOWED_TYPES


class DocumentUploadForm(forms.Form):
    kind = forms.ChoiceField(label=_("Kind"), choices=UploadKind.choices, initial=UploadKind.GENERAL)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, images, Excel (xlsx), Word (docx), CSV or text (UTF-8), or a zip archive."),
        # a hint for the browser's file picker only; the service checks the content
        widget=forms.FileInput(attrs={"accept": ",".join(f".{extension}" for extension in ALLOWED_TYPES)}),
    )
