"""Front-office forms of the parents' site: class sign-up and the knowledge survey."""

from django import forms
from django.core.exceptions import ValidationError

from core.validators import validate_phone

from .models import AgeBand


class ClassSignupForm(forms.Form):
    name = forms.CharField(label="家长姓名", max_length=30, error_messages={"required": "请填写家长姓名。"})
    phone = forms.CharField(
        label="手机号", max_length=20,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel", "inputmode": "tel"}),
        error_messages={"required": "请填写手机号。"},
    )
    age_band = forms.ModelChoiceField(
        label="孩子月龄", queryset=AgeBand.objects.all(), empty_label="请选择",
        error_messages={"required": "请选择孩子月龄。", "invalid_choice": "请选择有效的月龄段。"},
    )

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if not name:
            raise ValidationError("请填写家长姓名。")
        return name

    def clean_phone(self):
        return validate_phone(self.cleaned_data["phone"])


class SurveyForm(forms.Form):
    """County, age band and one radio group per question (`q1`, `q2`, ...)."""

    county = forms.ModelChoiceField(
        label="您所在的区县", queryset=None, empty_label="请选择",
        error_messages={"required": "请选择您所在的区县。", "invalid_choice": "请选择有效的区县。"},
    )
    age_band = forms.ModelChoiceField(
        label="孩子月龄", queryset=AgeBand.objects.all(), empty_label="请选择",
        error_messages={"required": "请选择孩子月龄。", "invalid_choice": "请选择有效的月龄段。"},
    )

    def __init__(self, survey, *args, **kwargs):
        from registry.models import County

        super().__init__(*args, **kwargs)
        self.fields["county"].queryset = County.objects.all()
        self.survey = survey
        self.question_fields = []
        for number, question in survey.question_list():
            name = f"q{number}"
            self.fields[name] = forms.TypedChoiceField(
                label=f"{number}. {question['question']}",
                choices=[(str(i), text) for i, text in enumerate(question["options"], start=1)],
                coerce=int,
                widget=forms.RadioSelect,
                error_messages={
                    "required": f"请回答第 {number} 题。",
                    "invalid_choice": f"第 {number} 题的答案不在选项范围内。",
                },
            )
            self.question_fields.append(name)

    def choices(self):
        """{"1": 2, "2": 1, ...}: the option number picked for each question number."""
        return {name[1:]: self.cleaned_data[name] for name in self.question_fields}

    def question_bound_fields(self):
        return [self[name] for name in self.question_fields]
