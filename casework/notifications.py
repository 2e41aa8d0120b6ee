"""The notifications casework sends the managers about protected identities (the bell; the
e-mail only says that there is something in Lotsa).

Parameters are staff names, the person's reference (IND-000123) and case numbers: never the
person's name or anything else of their identity.
"""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from accounts.notifications import NotificationKind, register_kind

AUTHORISATION_GRANTED = "casework.identity_authorisation_granted"
AUTHORISATION_REGISTERED = "casework.identity_authorisation_registered"
AUTHORISATION_PROTECTION_SET = "casework.identity_authorisation_protection_set"
AUTHORISATION_REVOKED = "casework.identity_authorisation_revoked"
REFUSED_OPEN = "casework.identity_refused_open"
REFUSED_ACCEPT = "casework.identity_refused_accept"
REFUSED_REASSIGN = "casework.identity_refused_reassign"
MATCH_NEEDS_MANAGER = "casework.identity_match_needs_manager"
PROTECTION_LIFTED = "casework.identity_protection_lifted"

KINDS = {
    AUTHORISATION_GRANTED: _(
        "%(by)s authorised %(user)s to see the protected identity of %(reference)s."
    ),
    AUTHORISATION_REGISTERED: _(
        "%(by)s registered %(reference)s with protected personal data: %(user)s, the "
        "responsible coordinator, is authorised to see the identity."
    ),
    AUTHORISATION_PROTECTION_SET: _(
        "%(by)s recorded protected personal data for %(reference)s: %(user)s, responsible "
        "coordinator of an open case, is authorised to see the identity."
    ),
    AUTHORISATION_REVOKED: _(
        "%(by)s revoked the authorisation of %(user)s to see the protected identity of "
        "%(reference)s."
    ),
    REFUSED_OPEN: _(
        "%(user)s tried to open a case for %(reference)s, whose identity is protected, without "
        "an authorisation. It was refused; a manager must do it."
    ),
    REFUSED_ACCEPT: _(
        "%(user)s tried to accept a referral into a case of %(reference)s, whose identity is "
        "protected, without an authorisation. It was refused; a manager must do it."
    ),
    REFUSED_REASSIGN: _(
        "%(user)s tried to make %(coordinator)s responsible coordinator of case %(case)s "
        "(%(reference)s, whose identity is protected) without an authorisation. It was "
        "refused; a manager must do it."
    ),
    MATCH_NEEDS_MANAGER: _(
        "%(user)s is registering a person who may be %(reference)s, whose identity is "
        "protected. They were not told who it is and need a manager's help."
    ),
    PROTECTION_LIFTED: _(
        "%(by)s lifted the protected personal data of %(reference)s: the identity is now shown "
        "to everyone who reads the person's cases."
    ),
}

for _name, _text in KINDS.items():
    register_kind(_name, NotificationKind(text=_text))
