"""OpenID Connect relying party: discovery, authorization URL with PKCE, code exchange, ID token checks.

One ``OidcProvider`` per configured provider (citizens: MitID through NemLog-in or a broker; staff:
the organisation's provider). JOSE work is done by joserfc; provider calls by one shared httpx client
with short timeouts. Everything that can go wrong with a login raises ``LoginFailed`` with a reason
code (the page to show); a provider we cannot reach raises ``ProviderUnavailable``.
"""

from __future__ import annotations

import base64
import hashlib
import logging
import secrets
import time
from typing import Any
from urllib.parse import urlencode

import httpx
from joserfc import jwt
from joserfc.errors import (
    BadSignatureError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidKeyIdError,
    JoseError,
    MissingClaimError,
)
from joserfc.jwk import KeySet, RSAKey

log = logging.getLogger(__name__)

CLOCK_SKEW_S = 60
"""Leeway for exp/iat between the provider's clock and ours."""

METADATA_TTL_S = 3600
"""Discovery document and JWKS are kept this long (a new key with an unknown kid refetches at once)."""

ID_TOKEN_ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"]
"""Asymmetric algorithms only: never "none", and never HS* (the client secret is not a signing key here)."""

HTTP_TIMEOUT = httpx.Timeout(5.0, connect=3.0)


class LoginFailed(Exception):
    """The login cannot go on; ``reason`` names the page (see backend/auth/login_pages.py)."""

    def __init__(self, reason: str, detail: str = "") -> None:
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


class ProviderUnavailable(LoginFailed):
    """The provider did not answer, or answered with a server error."""

    def __init__(self, detail: str) -> None:
        super().__init__("provider_down", detail)


def new_pkce_pair() -> tuple[str, str]:
    """(code_verifier, S256 code_challenge), RFC 7636."""
    verifier = secrets.token_urlsafe(48)
    challenge = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
    return verifier, challenge


def check_client_key(path: str) -> str | None:
    """Why the private key file for private_key_jwt cannot be used, or None when it can."""
    try:
        key = RSAKey.import_key(open(path, "rb").read())
    except OSError as exc:
        return f"cannot read {path}: {exc.strerror}"
    except (JoseError, ValueError, TypeError):
        return f"{path} is not an RSA private key in PEM form"
    return None if key.is_private else f"{path} holds a public key; the private key is needed"


def new_http_client() -> httpx.AsyncClient:
    return httpx.AsyncClient(timeout=HTTP_TIMEOUT, follow_redirects=False)


class OidcProvider:
    """One OpenID provider as seen by us (a relying party with a client id and secret)."""

    def __init__(self, http: httpx.AsyncClient, *, issuer: str, client_id: str, client_secret: str,
                 scopes: str, client_key_pem: bytes | None = None) -> None:
        self.http = http
        self.issuer = issuer.rstrip("/")
        self.client_id = client_id
        self.client_secret = client_secret
        self.scopes = scopes
        # private_key_jwt (RFC 7523) instead of the secret, when a key is configured (e.g. NemLog-in).
        self.client_key = RSAKey.import_key(client_key_pem) if client_key_pem else None
        self._metadata: dict[str, Any] | None = None
        self._metadata_at = 0.0
        self._keys: KeySet | None = None
        self._keys_at = 0.0

    async def _get_json(self, url: str) -> dict[str, Any]:
        try:
            response = await self.http.get(url)
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"{url}: {exc!r}") from exc
        if response.status_code != 200:
            raise ProviderUnavailable(f"{url}: HTTP {response.status_code}")
        try:
            data = response.json()
        except ValueError as exc:
            raise ProviderUnavailable(f"{url}: not JSON") from exc
        if not isinstance(data, dict):
            raise ProviderUnavailable(f"{url}: not a JSON object")
        return data

    async def metadata(self) -> dict[str, Any]:
        """The discovery document (cached); its issuer must be exactly the configured one."""
        if self._metadata is None or time.monotonic() - self._metadata_at > METADATA_TTL_S:
            data = await self._get_json(self.issuer + "/.well-known/openid-configuration")
            if str(data.get("issuer", "")).rstrip("/") != self.issuer:
                raise ProviderUnavailable(f"discovery issuer {data.get('issuer')!r} is not {self.issuer!r}")
            for field in ("authorization_endpoint", "token_endpoint", "jwks_uri"):
                if not isinstance(data.get(field), str):
                    raise ProviderUnavailable(f"discovery document has no {field}")
            self._metadata, self._metadata_at = data, time.monotonic()
        return self._metadata

    async def _key_set(self, *, refresh: bool = False) -> KeySet:
        if refresh or self._keys is None or time.monotonic() - self._keys_at > METADATA_TTL_S:
            data = await self._get_json((await self.metadata())["jwks_uri"])
            try:
                self._keys = KeySet.import_key_set(data)  # type: ignore[arg-type]
            except (JoseError, ValueError, KeyError, TypeError) as exc:
                raise ProviderUnavailable(f"JWKS unreadable: {exc!r}") from exc
            self._keys_at = time.monotonic()
        return self._keys

    async def authorization_url(self, *, redirect_uri: str, state: str, nonce: str, code_challenge: str,
                                ui_locales: str) -> str:
        endpoint = (await self.metadata())["authorization_endpoint"]
        query = urlencode({
            "response_type": "code", "client_id": self.client_id, "redirect_uri": redirect_uri,
            "scope": self.scopes, "state": state, "nonce": nonce, "code_challenge": code_challenge,
            "code_challenge_method": "S256", "ui_locales": ui_locales,
        })
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"

    async def exchange_code(self, *, code: str, redirect_uri: str, code_verifier: str) -> str:
        """The ID token for an authorization code (the code works once: a replay is refused by the provider)."""
        endpoint = (await self.metadata())["token_endpoint"]
        data = {"grant_type": "authorization_code", "code": code, "redirect_uri": redirect_uri,
                "code_verifier": code_verifier}
        auth: tuple[str, str] | None = (self.client_id, self.client_secret)
        if self.client_key is not None:
            data |= {"client_id": self.client_id, "client_assertion": self._client_assertion(endpoint),
                     "client_assertion_type": "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"}
            auth = None
        try:
            response = await self.http.post(endpoint, data=data, auth=auth, headers={"Accept": "application/json"})
        except httpx.HTTPError as exc:
            raise ProviderUnavailable(f"token endpoint: {exc!r}") from exc
        if response.status_code >= 500:
            raise ProviderUnavailable(f"token endpoint: HTTP {response.status_code}")
        try:
            body = response.json()
        except ValueError:
            body = {}
        if response.status_code != 200 or not isinstance(body, dict) or not isinstance(body.get("id_token"), str):
            error = body.get("error") if isinstance(body, dict) else None
            raise LoginFailed("code_refused", f"HTTP {response.status_code} {error!r}")
        return body["id_token"]

    def _client_assertion(self, token_endpoint: str) -> str:
        """A short-lived JWT that proves we hold the client's private key (OIDC Core 9, private_key_jwt)."""
        now = int(time.time())
        claims = {"iss": self.client_id, "sub": self.client_id, "aud": token_endpoint,
                  "jti": secrets.token_urlsafe(24), "iat": now, "exp": now + 60}
        header = {"alg": "RS256", "kid": self.client_key.thumbprint()}
        return jwt.encode(header, claims, self.client_key)

    async def verify_id_token(self, id_token: str, *, nonce: str) -> dict[str, Any]:
        """Check signature (provider's JWKS; an unknown kid refetches it once), iss, aud, exp, iat, nonce."""
        keys = await self._key_set()
        try:
            try:
                token = jwt.decode(id_token, keys, algorithms=ID_TOKEN_ALGORITHMS)
            except InvalidKeyIdError:  # the provider rotated its keys since we fetched them
                token = jwt.decode(id_token, await self._key_set(refresh=True), algorithms=ID_TOKEN_ALGORITHMS)
        except (BadSignatureError, InvalidKeyIdError) as exc:
            raise LoginFailed("bad_token", f"signature: {exc!r}") from exc
        except (JoseError, ValueError, TypeError) as exc:  # alg none or HS*, malformed token
            raise LoginFailed("bad_token", f"unreadable: {exc!r}") from exc
        claims = token.claims
        registry = jwt.JWTClaimsRegistry(
            leeway=CLOCK_SKEW_S,
            iss={"essential": True, "value": self.issuer},
            aud={"essential": True, "value": self.client_id},
            exp={"essential": True}, iat={"essential": True},
            sub={"essential": True},
            nonce={"essential": True, "value": nonce},
        )
        try:
            registry.validate(claims)
        except ExpiredTokenError as exc:
            raise LoginFailed("bad_token", "expired") from exc
        except (InvalidClaimError, MissingClaimError) as exc:
            raise LoginFailed("bad_token", f"claims: {exc!r}") from exc
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.client_id:  # OIDC Core 3.1.3.7 (4, 5)
            raise LoginFailed("bad_token", "several audiences and azp is not us")
        return claims

    async def end_session_url(self, *, post_logout_redirect_uri: str) -> str | None:
        """RP-initiated logout at the provider, when its discovery document offers it."""
        try:
            endpoint = (await self.metadata()).get("end_session_endpoint")
        except ProviderUnavailable as exc:
            log.warning("provider logout skipped: %s", exc)
            return None
        if not isinstance(endpoint, str) or not endpoint.startswith(("http://", "https://")):
            return None
        query = urlencode({"client_id": self.client_id, "post_logout_redirect_uri": post_logout_redirect_uri})
        return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"
