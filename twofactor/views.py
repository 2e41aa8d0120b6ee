"""Two-factor pages: enrolment with a QR code, the code step, backup codes, the user's own page.

Every page here needs a signed-in user. Enrolment and the code step are open before the second
step (twofactor.middleware); the others are behind it whenever it is needed.
"""

from __future__ import annotations

from base64 import b32encode
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import Resolver404, resolve, reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from accounts.models import User
from accounts.roles import staff_user
from core.forms import run_service
from twofactor import services, signin
from twofactor.forms import EnrolForm, VerifyForm
from twofactor.models import EnrolmentLink
from twofactor.selectors import has_confirmed_device, two_factor_status

# Where `next` may not point: back into the second step (a loop once verified).
_NOT_NEXT = {"twofactor:verify", "twofactor:enrol", "accounts:logout"}


def _next_url(request: HttpRequest) -> str:
    """The page the user was on before the second step, if it is one of ours; else home."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        try:
            if resolve(target.split("?", 1)[0]).view_name not in _NOT_NEXT:
                return target
        except Resolver404:
            pass
    return reverse("home")


def _with_next(url_name: str, next_url: str) -> str:
    return f"{reverse(url_name)}?{urlencode({'next': next_url})}"


def _qr_code(device: TOTPDevice) -> SafeString:
    """The app's setup link as an inline SVG QR code (no image service, no script)."""
    svg = segno.make(device.config_url, error="m").svg_inline(
        scale=5,
        border=4,
        dark="#000",
        light="#fff",
        title=_("QR code for your authenticator app"),
        svgclass="qr-code",
    )
    # segno builds the SVG from the QR matrix; the only text in it is our title, which it escapes.
    return mark_safe(svg)


def _secret_for_typing(device: TOTPDevice) -> str:
    """The key in base32 as apps ask for it, in groups of four for reading aloud or typing."""
    secret = b32encode(device.bin_key).decode("ascii").rstrip("=")
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


@never_cache
@require_GET
def enrol_link(request: HttpRequest, token: str) -> HttpResponse:
    """The one-time link of an administrator's reset, opened in the browser: its token goes
    into this session and out of the address at once; the enrolment page (after signing in)
    opens the link for the user and then shows the QR code."""
    request.session[signin.SESSION_LINK_PENDING] = token[:100]
    return redirect("twofactor:enrol")


def _opened_link(request: HttpRequest, user: User) -> tuple[EnrolmentLink | None, str]:
    """The enrolment link this session opened (None if there is none that works), and what to
    say about a link that does not work."""
    token = request.session.pop(signin.SESSION_LINK_PENDING, None)
    if token:
        try:
            link = services.enrolment_link_open(user=user, token=token)
        except ValidationError as refused:
            request.session.pop(signin.SESSION_LINK, None)
            return None, " ".join(refused.messages)
        request.session[signin.SESSION_LINK] = link.pk
        return link, ""
    link_id = request.session.get(signin.SESSION_LINK)
    return services.enrolment_link_opened(user=user, link_id=link_id), ""


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def enrol(request: HttpRequest) -> HttpResponse:
    """Add an authenticator app: scan the QR code (or type the key), confirm with a code.

    After an administrator's reset this needs the one-time enrolment link the person was
    given: without it the page explains, shows no key, and a code posted anyway is refused."""
    user = staff_user(request)
    if has_confirmed_device(user):
        # Already on: a new app only after the administrator's reset (a lost phone).
        if signin.is_verified(request):
            return redirect("twofactor:overview")
        return redirect(_with_next("twofactor:verify", _next_url(request)))
    link = None
    if services.enrolment_link_required(user):
        link, problem = _opened_link(request, user)
        if link is None:
            return render(
                request,
                "twofactor/enrol_link_needed.html",
                {
                    "problem": problem,
                    "second_step_pending": signin.second_step_needed(request)
                    and not signin.is_verified(request),
                },
                status=403 if request.method == "POST" else 200,
            )
    device = services.totp_device_for_enrolment(user=user, link=link)
    form = EnrolForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = run_service(
            form,
            services.totp_device_confirm,
            device=device,
            code=form.cleaned_data["code"],
            link=link,
        )
        if codes is not None:
            device.refresh_from_db()
            request.session.pop(signin.SESSION_LINK, None)
            signin.complete(request, user, device)
            request.session[signin.SESSION_NEW_CODES] = codes
            messages.success(request, _("Two-factor sign-in is now on for your account."))
            return redirect(_with_next("twofactor:backup_codes", _next_url(request)))
    return render(
        request,
        "twofactor/enrol.html",
        {
            "form": form,
            "qr_code": _qr_code(device),
            "secret": _secret_for_typing(device),
            "issuer": settings.OTP_TOTP_ISSUER,
            "next": _next_url(request),
            "second_step_pending": signin.second_step_needed(request)
            and not signin.is_verified(request),
            "required": settings.LOTSA_REQUIRE_2FA,
        },
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_http_methods(["GET", "POST"])
@login_required
def verify(request: HttpRequest) -> HttpResponse:
    """The second step: a code from the app or a backup code. Wrong codes count towards the
    same lockout as wrong passwords; a user locked out here is signed out."""
    user = staff_user(request)
    next_url = _next_url(request)
    if signin.is_verified(request):
        return redirect(next_url)
    if not has_confirmed_device(user):
        if settings.LOTSA_REQUIRE_2FA:
            return redirect(_with_next("twofactor:enrol", next_url))
        # The administrator reset the user's two-factor sign-in, which was voluntary.
        request.session[signin.SESSION_ENROLLED] = False
        return redirect(next_url)
    if signin.is_locked_out(request, user):
        signin.sign_out_locked(request, user)
        return redirect("accounts:login")  # replaced by the lockout page (AxesMiddleware)
    form = VerifyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.second_step_verify(user=user, code=form.cleaned_data["code"])
        if device is not None:
            signin.complete(request, user, device)
            return redirect(next_url)
        if signin.record_wrong_code(request, user):
            signin.sign_out_locked(request, user)
            return redirect("accounts:login")  # replaced by the lockout page (AxesMiddleware)
        form.add_error("code", services.WRONG_CODE)
    return render(
        request,
        "twofactor/verify.html",
        {"form": form, "next": next_url, "second_step_pending": True},
        status=400 if request.method == "POST" else 200,
    )


@never_cache
@require_GET
@login_required
def backup_codes(request: HttpRequest) -> HttpResponse:
    """The backup codes just made, shown this once (they are not shown again)."""
    codes = request.session.pop(signin.SESSION_NEW_CODES, None)
    if not codes:
        messages.info(
            request,
            _("Backup codes are shown only once. Make new ones if you have lost yours."),
        )
        return redirect("twofactor:overview")
    return render(
        request,
        "twofactor/backup_codes.html",
        {"codes": codes, "next": _next_url(request)},
    )


@require_GET
@login_required
def overview(request: HttpRequest) -> HttpResponse:
    """The user's own page: is two-factor sign-in on, how many backup codes are left."""
    user = staff_user(request)
    return render(
        request,
        "twofactor/overview.html",
        {"status": two_factor_status(user), "required": settings.LOTSA_REQUIRE_2FA},
    )


@require_POST
@login_required
def backup_codes_regenerate(request: HttpRequest) -> HttpResponse:
    user = staff_user(request)
    if not has_confirmed_device(user):
        messages.error(request, _("Switch two-factor sign-in on first."))
        return redirect("twofactor:overview")
    request.session[signin.SESSION_NEW_CODES] = services.backup_codes_replace(user=user)
    messages.success(request, _("New backup codes made. The old ones no longer work."))
    return redirect("twofactor:backup_codes")
