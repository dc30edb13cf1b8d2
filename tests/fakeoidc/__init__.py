"""A fake ProConnect (OpenID Connect provider) over real HTTP on 127.0.0.1.

Standard library plus PyJWT and cryptography (the portal's own dependencies); the server runs
in a daemon thread and signs with an RSA key generated at start. Endpoints, under
``/api/v2`` like ProConnect's: ``/.well-known/openid-configuration``, ``/authorize``
(checks client_id, state, nonce and a PKCE S256 challenge, then redirects to
``redirect_uri`` with ``code`` and the ``state`` received), ``/token`` (client_secret_post;
checks the code, once, its redirect_uri and the ``code_verifier``; answers an RS256
``id_token`` with iss, aud, exp, iat, acr and the nonce of the authorize request),
``/userinfo`` (Bearer; a signed JWT, ``application/jwt``, like ProConnect), ``/jwks``,
``/session/end`` (redirects to ``post_logout_redirect_uri`` with ``state``).

Usage::

    from tests.fakeoidc import FakeOIDC

    @pytest.fixture
    def provider(settings):
        with FakeOIDC() as fake:  # start() ... stop()
            for name, value in fake.settings().items():
                setattr(settings, name, value)
            yield fake

    def test_login(client, provider):
        provider.login_as(email="agent@example.com", siret=None)  # None drops a claim
        ...
        assert provider.requests_to("token")[0].params["code_verifier"]

Behaviour switches (``reset()`` restores them): ``wrong_nonce``, ``id_token_expired``
(issued an hour ago), ``wrong_audience``, ``foreign_signature`` (signed with a key that is
not in the JWKS), ``userinfo_as_json`` (plain JSON instead of a JWT), ``authorize_error``
(e.g. "access_denied": the user is sent back with ``error``), ``token_status`` (e.g. 500),
``acr``. ``claims``: those of the next logins (``login_as(**claims)``).

Log: ``requests`` (``LoggedRequest(method, path, params, status)``), ``requests_to(name)``,
``id_tokens`` (every ID token issued); ``decode(token)`` checks and reads one.

Always stop a started server (``with``, or ``stop()``): the suite's warnings-as-errors needs
its sockets closed.
"""

from .server import BASE_PATH, DEFAULT_CLAIMS, FakeOIDC, LoggedRequest

__all__ = ["BASE_PATH", "DEFAULT_CLAIMS", "FakeOIDC", "LoggedRequest"]
