from django import forms
from django.utils.translation import gettext_lazy as _

from .importers import Table


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File"),
        help_text=_(
            "CSV (UTF-8 or GBK) or XLSX. "
            "A workbook may hold org units, people, teams and memberships on separate sheets."
        ),
    )
    # Checked by default: the safe first step is to see what a file would change.
    dry_run = forms.BooleanField(
        label=_("Dry run"), required=False, initial=True, help_text=_("Only report what would change; write nothing.")
    )
    kind = forms.ChoiceField(
        label=_("Table"),
        required=False,
        choices=[("", _("Tell from the header row")), *Table.choices],
        help_text=_("Read every sheet as this table."),
    )
