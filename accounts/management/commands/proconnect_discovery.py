"""Print the PROCONNECT_* lines for .env from ProConnect's discovery document.

The portal never reads the discovery document at startup or during a login: run this once
when configuring (or when ProConnect announces a change) and copy the lines it prints.
"""

import requests
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

ENDPOINTS = [
    ("PROCONNECT_AUTHORIZATION_ENDPOINT", "authorization_endpoint"),
    ("PROCONNECT_TOKEN_ENDPOINT", "token_endpoint"),
    ("PROCONNECT_USERINFO_ENDPOINT", "userinfo_endpoint"),
    ("PROCONNECT_JWKS_ENDPOINT", "jwks_uri"),
    ("PROCONNECT_END_SESSION_ENDPOINT", "end_session_endpoint"),
]


class Command(BaseCommand):
    help = "Read ProConnect's .well-known/openid-configuration and print the PROCONNECT_* lines."

    def add_arguments(self, parser):
        parser.add_argument(
            "--issuer",
            default="",
            help="ProConnect's issuer URL (default: PROCONNECT_ISSUER), "
            "e.g. https://fca.integ01.dev-agentconnect.fr/api/v2",
        )

    def handle(self, *args, issuer="", **options):
        issuer = (issuer or settings.PROCONNECT_ISSUER).rstrip("/")
        if not issuer:
            raise CommandError("give --issuer or set PROCONNECT_ISSUER")
        url = f"{issuer}/.well-known/openid-configuration"
        try:
            response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
            response.raise_for_status()
            document = response.json()
        except (requests.RequestException, ValueError) as exc:
            raise CommandError(f"cannot read {url}: {exc}") from None
        if not isinstance(document, dict) or document.get("issuer") != issuer:
            found = document.get("issuer") if isinstance(document, dict) else None
            raise CommandError(f"{url} names the issuer {found!r}, not {issuer!r}")
        missing = [key for _, key in ENDPOINTS if not document.get(key)]
        if missing:
            raise CommandError(f"{url} lacks {', '.join(missing)}")
        algorithms = document.get("id_token_signing_alg_values_supported") or []
        if algorithms and settings.OIDC_RP_SIGN_ALGO not in algorithms:
            self.stderr.write(
                f"PROCONNECT_SIGNING_ALGORITHM={settings.OIDC_RP_SIGN_ALGO} is not among the "
                f"provider's ({', '.join(algorithms)}): set it to one of them."
            )
        self.stdout.write(f"PROCONNECT_ISSUER={issuer}")
        for variable, key in ENDPOINTS:
            self.stdout.write(f"{variable}={document[key]}")
