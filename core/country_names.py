"""The country names django-countries' Swedish catalogue lacks or has outdated (about 40 are left
in English: "Philippines", "Egypt"; "Makedonien" and "Swaziland" are old names). English in the
code, Swedish in our catalogue; settings.COUNTRIES_OVERRIDE uses them. A module of its own, with
no django-countries import, so that the settings can read it.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

# Names where django-countries has no Swedish, or an outdated one (ISO 3166-1 alpha-2).
NAMES = {
    "AL": _("Albania"),
    "AS": _("American Samoa"),
    "AU": _("Australia"),
    "BV": _("Bouvet Island"),
    "BR": _("Brazil"),
    "CV": _("Cabo Verde"),
    "KH": _("Cambodia"),
    "CA": _("Canada"),
    "TD": _("Chad"),
    "CC": _("Cocos (Keeling) Islands"),
    "CU": _("Cuba"),
    "EG": _("Egypt"),
    "GE": _("Georgia"),
    "HK": _("Hong Kong"),
    "IN": _("India"),
    "ID": _("Indonesia"),
    "JO": _("Jordan"),
    "LB": _("Lebanon"),
    "NF": _("Norfolk Island"),
    "PH": _("Philippines"),
    "PN": _("Pitcairn"),
    "SS": _("South Sudan"),
    "PS": _("Palestine"),
    "MK": _("North Macedonia"),
    "SZ": _("Eswatini"),
    "US": _("United States of America"),
    "FK": _("Falkland Islands"),
    "CG": _("Congo"),
    "CD": _("Congo (the Democratic Republic of the)"),
    "FM": _("Micronesia"),
    "CZ": _("Czechia"),
    "TR": _("Türkiye"),
}
