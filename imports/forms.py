from django import forms

from core.imports import kinds
from core.imports.reader import ALLOWED_EXTENSIONS


class UploadForm(forms.Form):
    kind = forms.ChoiceField(label="导入类型")
    file = forms.FileField(label="文件", help_text="支持 .xlsx、.xls、.csv；第一行为表头。")

    def __init__(self, *args, allowed_kinds=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [(k, kinds.KIND_TITLES[k]) for k in allowed_kinds]
        self.fields["file"].widget.attrs["accept"] = ",".join(ALLOWED_EXTENSIONS)
