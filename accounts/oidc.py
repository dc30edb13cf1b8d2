"""ProConnect login: OpenID Connect on mozilla-django-oidc (settings OIDC_* and PROCONNECT_*).

Authorization code flow with PKCE, state and nonce; ID tokens (and the userinfo answer,
which ProConnect sends as a signed JWT) are verified against the provider's JWKS, with their
issuer and audience. A failure of any kind brings the person back to the login page with a
French message and a warning in the log, never an error page.

The person is found by email (case-insensitively) or created; names, SIRET and the public
body named by the SIRET's SIREN are copied from the claims at each login.
"""

import logging
import re

import jwt
import requests
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.backends import ModelBackend
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.core.validators import validate_email
from django.http import HttpResponseRedirect
from django.shortcuts import redirect, resolve_url
from django.urls import reverse
from django.utils import translation
from django.utils.crypto import get_random_string
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.views import (
    OIDCAuthenticationCallbackView,
    OIDCAuthenticationRequestView,
)

from catalog.models import PublicBody

logger = logging.getLogger(__name__)

SIRET = re.compile(r"[0-9]{14}")
# The interface language when the login started, to come back to the same language.
LANGUAGE_SESSION_KEY = "proconnect_language"

NOT_CONFIGURED = _("La connexion avec ProConnect n’est pas configurée sur ce site.")
STALE_REQUEST = _(
    "Votre demande de connexion a expiré ou a déjà été utilisée : vous n’êtes pas connecté. "
    "Veuillez réessayer."
)
UNVERIFIED_ANSWER = _(
    "La réponse de ProConnect n’a pas pu être vérifiée : vous n’êtes pas connecté. "
    "Veuillez réessayer."
)
EXPIRED_ANSWER = _(
    "La réponse de ProConnect a expiré : vous n’êtes pas connecté. Veuillez réessayer."
)
UNREACHABLE = _(
    "ProConnect ne répond pas pour le moment : vous n’êtes pas connecté. "
    "Veuillez réessayer dans quelques minutes."
)
PROVIDER_ERROR = _("ProConnect n’a pas pu vous identifier : vous n’êtes pas connecté.")
CANCELLED = _("La connexion avec ProConnect a été annulée.")
MISSING_EMAIL = _(
    "ProConnect n’a pas transmis d’adresse électronique valide : la connexion est impossible."
)
UNVERIFIED_EMAIL = _(
    "Votre adresse électronique n’est pas vérifiée par votre fournisseur d’identité : "
    "la connexion est impossible."
)
INACTIVE = _("Ce compte est désactivé.")


class ProConnectFailure(Exception):
    """The login cannot go on; `message` is for the person, `detail` for the log."""

    def __init__(self, message, detail: str):
        super().__init__(detail)
        self.message = message
        self.detail = detail


def public_body_for_siret(siret: str):
    """The public body whose SIREN starts the SIRET, when exactly one has it."""
    if not siret:
        return None
    bodies = list(PublicBody.objects.filter(siren=siret[:9])[:2])
    return bodies[0] if len(bodies) == 1 else None


def update_user_from_claims(*, user, claims: dict):
    """Copy names, SIRET and the public body from ProConnect's claims, then save.

    The public body follows the SIRET unless the person chose another one themselves (it is
    replaced only when unset or when it was the one named by their previous SIRET), or named
    one that is not in the list.
    """
    given_name = str(claims.get("given_name") or "").strip()
    usual_name = str(claims.get("usual_name") or "").strip()
    if given_name:
        user.first_name = given_name[:150]
    if usual_name:
        user.last_name = usual_name[:150]
    raw_siret = re.sub(r"\s", "", str(claims.get("siret") or ""))
    siret = raw_siret if SIRET.fullmatch(raw_siret) else ""
    if user.public_body is None:
        body_came_from_siret = not user.public_body_unlisted
    else:
        body_came_from_siret = bool(user.siret) and user.public_body.siren == user.siret[:9]
    user.siret = siret
    if body_came_from_siret:
        user.public_body = public_body_for_siret(siret)
    user.save(update_fields=["first_name", "last_name", "siret", "public_body"])
    return user


class ProConnectBackend(OIDCAuthenticationBackend):
    """Authenticates the ProConnect callback; ignores password attempts."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._jwks_keys = None

    def get_user(self, user_id):
        # Django's rule, which mozilla's backend drops: a deactivated account is logged out.
        return ModelBackend.get_user(self, user_id)

    def authenticate(self, request, **kwargs):
        if (
            not settings.PROCONNECT_ENABLED
            or request is None
            or "password" in kwargs
            or "nonce" not in kwargs
        ):
            return None
        return super().authenticate(request, **kwargs)

    # --- Tokens -------------------------------------------------------------------------

    def _provider_keys(self) -> list[dict]:
        """The provider's public keys, read once per login."""
        if self._jwks_keys is None:
            response = requests.get(
                self.OIDC_OP_JWKS_ENDPOINT,
                timeout=self.get_settings("OIDC_TIMEOUT"),
                verify=self.get_settings("OIDC_VERIFY_SSL", True),
            )
            response.raise_for_status()
            self._jwks_keys = response.json()["keys"]
        return self._jwks_keys

    def retrieve_matching_jwk(self, token):
        header = jwt.get_unverified_header(token)
        kid, alg = header.get("kid"), header.get("alg")
        for jwk in self._provider_keys():
            if jwk.get("use", "sig") != "sig":
                continue
            if kid is not None and jwk.get("kid") != kid:
                continue
            if "alg" in jwk and jwk["alg"] != alg:
                continue
            return jwt.PyJWK(jwk)
        raise SuspiciousOperation("no key of the provider's JWKS matches the token")

    def _decode(self, token: str, *, id_token: bool) -> dict:
        """A JWT from the provider: signature, algorithm, dates, issuer and audience checked
        (an ID token must carry them all; the userinfo JWT is checked on those it has)."""
        if not isinstance(token, str) or not token:
            raise SuspiciousOperation("the provider sent no token")
        algorithm = jwt.get_unverified_header(token).get("alg")
        if algorithm != self.OIDC_RP_SIGN_ALGO:
            raise SuspiciousOperation(
                f"token signed with {algorithm!r}, not {self.OIDC_RP_SIGN_ALGO}"
            )
        key = self.retrieve_matching_jwk(token)
        if id_token:
            return jwt.decode(
                token,
                key,
                algorithms=[self.OIDC_RP_SIGN_ALGO],
                audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.PROCONNECT_ISSUER,
                leeway=settings.PROCONNECT_LEEWAY,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]},
            )
        claims = jwt.decode(
            token,
            key,
            algorithms=[self.OIDC_RP_SIGN_ALGO],
            leeway=settings.PROCONNECT_LEEWAY,
            options={"verify_aud": False},
        )
        if "iss" in claims and claims["iss"] != settings.PROCONNECT_ISSUER:
            raise SuspiciousOperation("userinfo issued by another issuer")
        if "aud" in claims:
            audience = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
            if self.OIDC_RP_CLIENT_ID not in audience:
                raise SuspiciousOperation("userinfo issued for another client")
        return claims

    def verify_token(self, token, **kwargs):
        payload = self._decode(token, id_token=True)
        if payload.get("nonce") != kwargs.get("nonce"):
            raise SuspiciousOperation("ID token nonce mismatch")
        # The level asked for must be the level given: no silent downgrade.
        wanted = settings.OIDC_AUTH_REQUEST_EXTRA_PARAMS["acr_values"].split()
        if wanted and payload.get("acr") not in wanted:
            raise SuspiciousOperation(f"ID token acr {payload.get('acr')!r} not in {wanted}")
        return payload

    def get_userinfo(self, access_token, id_token, payload):
        """ProConnect answers with a signed JWT (application/jwt); plain JSON is accepted too."""
        response = requests.get(
            self.OIDC_OP_USER_ENDPOINT,
            headers={"Authorization": f"Bearer {access_token}"},
            timeout=self.get_settings("OIDC_TIMEOUT"),
            verify=self.get_settings("OIDC_VERIFY_SSL", True),
        )
        response.raise_for_status()
        content_type = response.headers.get("Content-Type", "").lower()
        if content_type.startswith("application/jwt"):
            claims = self._decode(response.text.strip(), id_token=False)
        else:
            claims = response.json()
        if not isinstance(claims, dict) or claims.get("sub") != payload.get("sub"):
            raise ProConnectFailure(UNVERIFIED_ANSWER, "userinfo sub differs from the ID token's")
        return claims

    # --- Users --------------------------------------------------------------------------

    def verify_claims(self, claims):
        email = claims.get("email")
        try:
            validate_email(email if isinstance(email, str) else "")
        except ValidationError:
            raise ProConnectFailure(MISSING_EMAIL, "no valid email claim") from None
        if claims.get("email_verified") is False:
            raise ProConnectFailure(UNVERIFIED_EMAIL, "email_verified is false")
        return True

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(email__iexact=claims["email"].strip())

    def create_user(self, claims):
        user = self.UserModel.objects.create_user(email=claims["email"].strip(), password=None)
        logger.info("ProConnect created user %s", user.pk)
        return update_user_from_claims(user=user, claims=claims)

    def update_user(self, user, claims):
        return update_user_from_claims(user=user, claims=claims)


# --- Views ---------------------------------------------------------------------------------


def _login_url(request, language=None) -> str:
    with translation.override(language or translation.get_language()):
        return reverse("accounts:login")


def not_configured(request):
    messages.info(request, NOT_CONFIGURED)
    return redirect("accounts:login")


class ProConnectAuthenticateView(OIDCAuthenticationRequestView):
    """Sends the person to ProConnect (GET, `next` kept for the way back)."""

    def get(self, request):
        if not settings.PROCONNECT_ENABLED:
            return not_configured(request)
        request.session[LANGUAGE_SESSION_KEY] = translation.get_language()
        return super().get(request)


class ProConnectCallbackView(OIDCAuthenticationCallbackView):
    """ProConnect's redirect back: logs in, or explains on the login page why not."""

    failure_message = PROVIDER_ERROR
    reason_logged = False

    @property
    def language(self):
        return self.request.session.get(LANGUAGE_SESSION_KEY)

    @property
    def success_url(self):
        next_url = self.request.session.get("oidc_login_next")
        if next_url:
            return next_url
        with translation.override(self.language or translation.get_language()):
            return resolve_url(settings.LOGIN_REDIRECT_URL)

    @property
    def failure_url(self):
        return _login_url(self.request, self.language)

    def login_failure(self):
        if not self.reason_logged:
            user = getattr(self, "user", None)
            if user is not None and not user.is_active:
                return self._fail(INACTIVE, "inactive user %s", user.pk)
            logger.warning("ProConnect login failed: no user authenticated")
        messages.error(self.request, self.failure_message)
        return HttpResponseRedirect(self.failure_url)

    def _fail(self, message, detail: str, *args):
        logger.warning("ProConnect login failed: " + detail, *args)
        self.failure_message = message
        self.reason_logged = True
        return self.login_failure()

    def get(self, request):
        if not settings.PROCONNECT_ENABLED:
            return not_configured(request)
        error = request.GET.get("error")
        if error:
            message = CANCELLED if error == "access_denied" else PROVIDER_ERROR
            self.failure_message = message
            self.reason_logged = True
            logger.warning(
                "ProConnect login failed: the provider answered %s (%s)",
                error[:100],
                request.GET.get("error_description", "")[:300],
            )
            if request.GET.get("state") not in request.session.get("oidc_states", {}):
                # Not an answer to our request: any site could link here; log nobody out.
                return self.login_failure()
            return super().get(request)
        state = request.GET.get("state")
        if not request.GET.get("code") or not state:
            return self._fail(PROVIDER_ERROR, "callback without code or state")
        if state not in request.session.get("oidc_states", {}):
            return self._fail(STALE_REQUEST, "unknown state (expired session, replay or forgery)")
        try:
            return super().get(request)
        except ProConnectFailure as exc:
            return self._fail(exc.message, "%s", exc.detail)
        except jwt.ExpiredSignatureError:
            return self._fail(EXPIRED_ANSWER, "expired ID token")
        except (SuspiciousOperation, jwt.PyJWTError) as exc:
            return self._fail(UNVERIFIED_ANSWER, "%s: %s", type(exc).__name__, exc)
        except (requests.ConnectionError, requests.Timeout) as exc:
            return self._fail(UNREACHABLE, "provider unreachable (%s)", type(exc).__name__)
        except (requests.RequestException, ValueError, KeyError, TypeError) as exc:
            return self._fail(PROVIDER_ERROR, "unexpected answer (%s: %s)", type(exc).__name__, exc)


def logged_out(request):
    """Where ProConnect brings the person back after its own logout (a stable address to
    register with ProConnect, outside the language prefixes)."""
    return redirect(settings.LOGOUT_REDIRECT_URL)


def provider_logout_url(request) -> str:
    """OIDC_OP_LOGOUT_URL_METHOD: after a ProConnect login, log out at ProConnect too."""
    id_token = request.session.get("oidc_id_token")
    endpoint = settings.PROCONNECT_END_SESSION_ENDPOINT
    if not (settings.PROCONNECT_ENABLED and id_token and endpoint):
        return resolve_url(settings.LOGOUT_REDIRECT_URL)
    query = urlencode(
        {
            "id_token_hint": id_token,
            "state": get_random_string(32),
            "post_logout_redirect_uri": request.build_absolute_uri(
                reverse("proconnect:logged_out")
            ),
        }
    )
    return f"{endpoint}?{query}"
