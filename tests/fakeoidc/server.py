"""The FakeOIDC server: ProConnect's endpoints, an RSA key made at start, a request log."""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler
from typing import Any, NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.fakehttp import ServedFake, TrackingHTTPServer

BASE_PATH = "/api/v2"
DEFAULT_CLAIMS = {
    "sub": "agent-camille-dupont",
    "email": "camille.dupont@numerique.gouv.fr",
    "given_name": "Camille",
    "usual_name": "Dupont",
    "siret": "13002526500013",
}


class LoggedRequest(NamedTuple):
    method: str
    path: str  # without the query string
    params: dict[str, str]  # query, or form body for POST
    status: int


@dataclass
class _Response:
    status: int
    body: bytes = b""
    headers: dict[str, str] = field(default_factory=dict)


def _json(payload: Any, status: int = 200) -> _Response:
    return _Response(status, json.dumps(payload).encode(), {"Content-Type": "application/json"})


def _redirect(url: str) -> _Response:
    return _Response(302, b"", {"Location": url})


def _with_query(url: str, **params: str) -> str:
    return f"{url}{'&' if '?' in url else '?'}{urlencode(params)}"


def _s256(verifier: str) -> str:
    digest = hashlib.sha256(verifier.encode("ascii")).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode("ascii")


@dataclass
class _Grant:
    client_id: str
    redirect_uri: str
    nonce: str | None
    code_challenge: str
    code_challenge_method: str
    claims: dict[str, Any]


class FakeOIDC(ServedFake):
    """See the package docstring."""

    _thread_name = "fakeoidc"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        client_id: str = "codegouv-test-client",
        client_secret: str = "codegouv-test-secret",  # noqa: S107 - a test fake
    ):
        self._init_lifecycle(host, port)
        self.client_id = client_id
        self.client_secret = client_secret
        self.kid = "fakeoidc-" + secrets.token_hex(4)
        self._key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._other_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self._lock = threading.Lock()
        self._grants: dict[str, _Grant] = {}
        self._access_tokens: dict[str, dict[str, Any]] = {}
        self.requests: list[LoggedRequest] = []
        self.id_tokens: list[str] = []
        self.reset()

    def reset(self) -> None:
        """Back to a well-behaved provider logging in `DEFAULT_CLAIMS`."""
        self.claims: dict[str, Any] = dict(DEFAULT_CLAIMS)
        self.acr = "eidas1"
        self.wrong_nonce = False
        self.id_token_expired = False
        self.wrong_audience = False
        self.foreign_signature = False
        self.userinfo_as_json = False
        self.authorize_error: str | None = None
        self.token_status = 200

    def login_as(self, **claims: Any) -> dict[str, Any]:
        """Claims of the next logins, on top of DEFAULT_CLAIMS; None removes a claim."""
        merged = {**DEFAULT_CLAIMS, **claims}
        self.claims = {name: value for name, value in merged.items() if value is not None}
        return self.claims

    def _make_server(self) -> TrackingHTTPServer:
        return _Server((self.host, self._port), self)

    # --- Addresses ---------------------------------------------------------------------

    @property
    def issuer(self) -> str:
        return f"http://{self.host}:{self.port}{BASE_PATH}"

    def settings(self) -> dict[str, Any]:
        """Django settings pointing the portal at this provider (as settings.py would build
        them from PROCONNECT_ISSUER, PROCONNECT_CLIENT_ID and PROCONNECT_CLIENT_SECRET)."""
        return {
            "PROCONNECT_ENABLED": True,
            "PROCONNECT_ISSUER": self.issuer,
            "PROCONNECT_CLIENT_ID": self.client_id,
            "PROCONNECT_CLIENT_SECRET": self.client_secret,
            "OIDC_RP_CLIENT_ID": self.client_id,
            "OIDC_RP_CLIENT_SECRET": self.client_secret,
            "OIDC_OP_AUTHORIZATION_ENDPOINT": f"{self.issuer}/authorize",
            "OIDC_OP_TOKEN_ENDPOINT": f"{self.issuer}/token",
            "OIDC_OP_USER_ENDPOINT": f"{self.issuer}/userinfo",
            "OIDC_OP_JWKS_ENDPOINT": f"{self.issuer}/jwks",
            "PROCONNECT_END_SESSION_ENDPOINT": f"{self.issuer}/session/end",
        }

    def requests_to(self, endpoint: str) -> list[LoggedRequest]:
        return [r for r in self.requests if r.path == f"{BASE_PATH}/{endpoint}"]

    # --- Tokens ------------------------------------------------------------------------

    def public_jwk(self) -> dict[str, Any]:
        jwk = RSAAlgorithm.to_jwk(self._key.public_key(), as_dict=True)
        return {
            "kty": "RSA",
            "n": jwk["n"],
            "e": jwk["e"],
            "kid": self.kid,
            "alg": "RS256",
            "use": "sig",
        }

    def sign(self, payload: dict[str, Any]) -> str:
        key = self._other_key if self.foreign_signature else self._key
        return jwt.encode(payload, key, algorithm="RS256", headers={"kid": self.kid})

    def decode(self, token: str) -> dict[str, Any]:
        """A token this provider signed (for assertions)."""
        return jwt.decode(
            token, self._key.public_key(), algorithms=["RS256"], audience=self.client_id
        )

    def _id_token(self, grant: _Grant) -> str:
        now = int(time.time())
        issued = now - 3600 if self.id_token_expired else now
        payload = {
            "iss": self.issuer,
            "sub": grant.claims["sub"],
            "aud": "another-client" if self.wrong_audience else grant.client_id,
            "exp": issued + 60,
            "iat": issued,
            "acr": self.acr,
            "amr": ["pwd"],
            "nonce": "not-the-nonce-sent" if self.wrong_nonce else grant.nonce,
        }
        token = self.sign(payload)
        self.id_tokens.append(token)
        return token

    # --- Endpoints ---------------------------------------------------------------------

    def _serve(self, method: str, target: str, headers: Any, body: bytes) -> _Response:
        parts = urlsplit(target)
        params = dict(parse_qsl(parts.query, keep_blank_values=True))
        if method == "POST":
            params.update(parse_qsl(body.decode("utf-8"), keep_blank_values=True))
        route = {
            ("GET", "/.well-known/openid-configuration"): self._discovery,
            ("GET", "/authorize"): self._authorize,
            ("POST", "/token"): self._token,
            ("GET", "/userinfo"): self._userinfo,
            ("GET", "/jwks"): self._jwks,
            ("GET", "/session/end"): self._end_session,
        }.get((method, parts.path.removeprefix(BASE_PATH)))
        if route is None or not parts.path.startswith(BASE_PATH):
            response = _json({"error": "not_found"}, 404)
        else:
            with self._lock:
                response = route(params, headers)
        self.requests.append(LoggedRequest(method, parts.path, params, response.status))
        return response

    def _discovery(self, params, headers) -> _Response:
        return _json(
            {
                "issuer": self.issuer,
                "authorization_endpoint": f"{self.issuer}/authorize",
                "token_endpoint": f"{self.issuer}/token",
                "userinfo_endpoint": f"{self.issuer}/userinfo",
                "jwks_uri": f"{self.issuer}/jwks",
                "end_session_endpoint": f"{self.issuer}/session/end",
                "response_types_supported": ["code"],
                "scopes_supported": ["openid", "email", "given_name", "usual_name", "siret"],
                "acr_values_supported": ["eidas1"],
                "code_challenge_methods_supported": ["S256"],
                "id_token_signing_alg_values_supported": ["RS256"],
                "userinfo_signing_alg_values_supported": ["RS256"],
                "token_endpoint_auth_methods_supported": ["client_secret_post"],
            }
        )

    def _authorize(self, params, headers) -> _Response:
        redirect_uri = params.get("redirect_uri", "")
        problems = []
        if params.get("client_id") != self.client_id:
            problems.append("unknown client_id")
        if params.get("response_type") != "code":
            problems.append("response_type must be code")
        if "openid" not in params.get("scope", "").split():
            problems.append("scope must include openid")
        if not params.get("state") or not params.get("nonce"):
            problems.append("state and nonce are required")
        if not params.get("code_challenge") or params.get("code_challenge_method") != "S256":
            problems.append("PKCE (code_challenge, S256) is required")
        if not redirect_uri.startswith(("http://", "https://")):
            problems.append("redirect_uri is required")
        if problems:
            return _json(
                {"error": "invalid_request", "error_description": "; ".join(problems)}, 400
            )
        if self.authorize_error:
            return _redirect(
                _with_query(redirect_uri, error=self.authorize_error, state=params["state"])
            )
        code = secrets.token_urlsafe(24)
        self._grants[code] = _Grant(
            client_id=params["client_id"],
            redirect_uri=redirect_uri,
            nonce=params.get("nonce"),
            code_challenge=params["code_challenge"],
            code_challenge_method=params["code_challenge_method"],
            claims=dict(self.claims),
        )
        return _redirect(_with_query(redirect_uri, code=code, state=params["state"]))

    def _token(self, params, headers) -> _Response:
        if self.token_status != 200:
            return _json({"error": "server_error"}, self.token_status)
        if params.get("client_id") != self.client_id or params.get("client_secret") != (
            self.client_secret
        ):
            return _json({"error": "invalid_client"}, 401)
        grant = self._grants.pop(params.get("code", ""), None)  # a code is used once
        if grant is None or params.get("grant_type") != "authorization_code":
            return _json({"error": "invalid_grant", "error_description": "unknown code"}, 400)
        if params.get("redirect_uri") != grant.redirect_uri:
            return _json({"error": "invalid_grant", "error_description": "redirect_uri"}, 400)
        if _s256(params.get("code_verifier", "")) != grant.code_challenge:
            return _json({"error": "invalid_grant", "error_description": "code_verifier"}, 400)
        access_token = secrets.token_urlsafe(24)
        self._access_tokens[access_token] = grant.claims
        return _json(
            {
                "access_token": access_token,
                "token_type": "Bearer",
                "expires_in": 60,
                "id_token": self._id_token(grant),
                "scope": "openid email given_name usual_name siret",
            }
        )

    def _userinfo(self, params, headers) -> _Response:
        scheme, _, token = (headers.get("Authorization") or "").partition(" ")
        claims = self._access_tokens.get(token) if scheme == "Bearer" else None
        if claims is None:
            return _Response(401, b"", {"WWW-Authenticate": 'Bearer error="invalid_token"'})
        if self.userinfo_as_json:
            return _json(claims)
        payload = {**claims, "iss": self.issuer, "aud": self.client_id}
        return _Response(200, self.sign(payload).encode(), {"Content-Type": "application/jwt"})

    def _jwks(self, params, headers) -> _Response:
        return _json({"keys": [self.public_jwk()]})

    def _end_session(self, params, headers) -> _Response:
        target = params.get("post_logout_redirect_uri")
        if not params.get("id_token_hint") or not target:
            return _json({"error": "invalid_request"}, 400)
        return _redirect(_with_query(target, state=params.get("state", "")))


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    disable_nagle_algorithm = True
    server_version = "FakeOIDC/1.0"
    sys_version = ""
    server: _Server

    def _handle(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length) if length else b""
        response = self.server.fake._serve(self.command, self.path, self.headers, body)
        self.send_response(response.status)
        for name, value in response.headers.items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(response.body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(response.body)

    do_GET = do_HEAD = do_POST = _handle

    def log_message(self, format: str, *args: Any) -> None:
        """Silent: see ``FakeOIDC.requests``."""


class _Server(TrackingHTTPServer):
    thread_name = "fakeoidc-connection"

    def __init__(self, address: tuple[str, int], fake: FakeOIDC):
        self.fake = fake
        super().__init__(address, _Handler)
