"""X's OAuth 2.0 web endpoints in the sandbox: the consent page (`GET /i/oauth2/authorize`, approved or cancelled
by a form post to the same address, which redirects the browser back to the app), `POST /2/oauth2/token` and
`POST /2/oauth2/revoke`. They take no API credentials, so they are answered before `app.py` authenticates; the
rules live in `oauth2_grants.py`.
"""

from __future__ import annotations

import base64
import binascii
import html
from dataclasses import dataclass, field
from urllib.parse import parse_qsl, urlencode

from twexport_qt.sandbox.auth import RequestHeaders
from twexport_qt.sandbox.oauth2_grants import AuthorizationRequest, AuthorizeRefused, TokenRefused
from twexport_qt.sandbox.population import SANDBOX_USERNAME
from twexport_qt.sandbox.request import ApiResponse
from twexport_qt.sandbox.state import SandboxState

AUTHORIZE_PATH = "/i/oauth2/authorize"
TOKEN_PATH = "/2/oauth2/token"
REVOKE_PATH = "/2/oauth2/revoke"
# Names for the request log (they are not rate-limited `Endpoint`s).
LOG_NAMES = {AUTHORIZE_PATH: "oauth2_authorize", TOKEN_PATH: "oauth2_token", REVOKE_PATH: "oauth2_revoke"}
APPROVE, CANCEL = "allow", "deny"
_FORWARDED = ("response_type", "client_id", "redirect_uri", "scope", "state", "code_challenge",
              "code_challenge_method")
_NO_STORE = {"Cache-Control": "no-store", "Pragma": "no-cache"}  # RFC 6749 §5.1, as X sends


@dataclass(frozen=True)
class WebPage:
    """An HTML answer, or a redirect (302 with a Location), for the browser rather than an API client."""

    status: int
    html: str
    headers: dict[str, str] = field(default_factory=dict)


def handles(path: str) -> bool:
    return path in LOG_NAMES


def handle(state: SandboxState, method: str, path: str, query: dict[str, str], headers: RequestHeaders,
           body: bytes) -> ApiResponse | WebPage:
    form = dict(parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)) \
        if "x-www-form-urlencoded" in headers.get("Content-Type", "") else {}
    grants = state.auth.oauth2
    if path == AUTHORIZE_PATH:
        if method == "GET":
            return _consent_page(state, query)
        if method == "POST":
            return _decision(state, form)
    elif method == "POST":
        try:
            basic_client = _basic_client(headers)
            if path == TOKEN_PATH:
                return ApiResponse(200, grants.token(form, basic_client, state.clock.now()), dict(_NO_STORE))
            return ApiResponse(200, grants.revoke(form, basic_client))
        except TokenRefused as refused:
            return ApiResponse(refused.status, refused.body, dict(_NO_STORE))
    return ApiResponse(405, {"title": "Method Not Allowed", "detail": f"{method} is not allowed on {path}.",
                             "type": "about:blank", "status": 405})


def _consent_page(state: SandboxState, query: dict[str, str]) -> WebPage:
    try:
        request = state.auth.oauth2.check_authorization(query)
    except AuthorizeRefused as refused:
        return _error_page(str(refused))
    hidden = "".join(f'<input type="hidden" name="{name}" value="{html.escape(query.get(name, ""))}">'
                     for name in _FORWARDED)
    scopes = "".join(f"<li>{html.escape(scope)}</li>" for scope in request.scopes)
    return WebPage(200, _PAGE.format(title="Authorize app", body=(
        f"<h1>An app wants to access your X account</h1>"
        f"<p>Signed in as @{SANDBOX_USERNAME} (X API sandbox). App client id: "
        f"<code>{html.escape(request.client_id)}</code></p><p>It asks to:</p><ul>{scopes}</ul>"
        f'<form method="post" action="/i/oauth2/authorize">{hidden}'
        f'<button type="submit" name="decision" value="{APPROVE}">Authorize app</button> '
        f'<button type="submit" name="decision" value="{CANCEL}">Cancel</button></form>')), dict(_NO_STORE))


def _decision(state: SandboxState, form: dict[str, str]) -> WebPage:
    """The consent form posted: redirect to the app with a code (approved) or `error=access_denied`."""
    try:
        request = state.auth.oauth2.check_authorization(form)
    except AuthorizeRefused as refused:
        return _error_page(str(refused))
    if form.get("decision") == APPROVE:
        answer = {"state": request.state, "code": state.auth.oauth2.issue_code(request, state.clock.now())}
    else:
        answer = {"error": "access_denied", "state": request.state}
    return _redirect(request, answer)


def _redirect(request: AuthorizationRequest, answer: dict[str, str]) -> WebPage:
    separator = "&" if "?" in request.redirect_uri else "?"
    location = f"{request.redirect_uri}{separator}{urlencode(answer)}"
    return WebPage(302, _PAGE.format(title="Redirecting", body=f'<a href="{html.escape(location)}">Continue</a>'),
                   {"Location": location, **_NO_STORE})


def _error_page(reason: str) -> WebPage:
    # X shows a page of its own and never redirects: the redirect URI is not one the app registered.
    return WebPage(400, _PAGE.format(title="Something went wrong", body=(
        "<h1>Something went wrong</h1><p>You weren't able to give access to the App. Go back and try logging in "
        f"again.</p><p><small>{html.escape(reason)}</small></p>")))


def _basic_client(headers: RequestHeaders) -> str | None:
    """The client id of an `Authorization: Basic` header (confidential clients), or None. The sandbox does not check
    the secret: what matters to TwExport, a public client, is that a confidential one is refused without it."""
    header = headers.get("Authorization", "")
    if not header.startswith("Basic "):
        return None
    try:
        return base64.b64decode(header[6:].strip()).decode("utf-8").partition(":")[0] or None
    except (binascii.Error, UnicodeDecodeError):
        raise TokenRefused(401, "unauthorized_client", "Missing valid authorization header") from None


_PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>
<body style="font-family: sans-serif; margin: 3em auto; max-width: 36em;">{body}</body></html>"""
