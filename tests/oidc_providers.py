"""OpenID providers for the login tests, each a real HTTP server on 127.0.0.1.

- ``MockProvider``: the ``oidc-provider-mock`` package in its own process (the same one ``fsc dev``
  starts); users and their claims are set through its PUT /users API, and its authorize form is
  answered like a browser would (POST sub=…).
- ``EvilProvider``: a small provider of our own (aiohttp + joserfc) that issues the bad ID tokens a
  real provider never would: wrong nonce, expired, from the future, wrong audience or issuer, signed
  by another key or with alg none; it can also rotate its key or fail with a server error.
"""

from __future__ import annotations

import asyncio
import json
import subprocess
import threading
import sys
import time
import urllib.request
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
from aiohttp import web
from joserfc import jwt
from joserfc.jwk import KeySet, OctKey, RSAKey

from tests.e2e.conftest import free_port

CPR_CLAIM = "https://data.gov.dk/model/core/eid/cprNumber"
NAME_CLAIM = "https://data.gov.dk/model/core/eid/fullName"
LOA_CLAIM = "https://data.gov.dk/concept/core/nsis/loa"


def citizen_claims(cpr: str, name: str, loa: str = "Substantial") -> dict:
    return {CPR_CLAIM: cpr, NAME_CLAIM: name, LOA_CLAIM: loa}


class MockProvider:
    """``python -m oidc_provider_mock`` on a free port (stopped with ``stop``)."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.process = subprocess.Popen([sys.executable, "-m", "oidc_provider_mock", "--port", str(self.port),
                                         "--host", "127.0.0.1", "--require-nonce"],
                                        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 20
        while True:
            try:
                with urllib.request.urlopen(self.url + "/.well-known/openid-configuration", timeout=1):
                    return
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError("oidc-provider-mock did not start") from None
                time.sleep(0.1)

    def set_user(self, sub: str, claims: dict) -> None:
        response = httpx.put(f"{self.url}/users/{sub}", json=claims)
        assert response.status_code == 204, response.text

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=10)


async def authorize_at(provider_url: str, authorize_url: str, sub: str) -> str:
    """Answer the provider's authorize form as a browser would; returns our callback URL with code and state."""
    assert authorize_url.startswith(provider_url), authorize_url
    async with httpx.AsyncClient() as http:
        response = await http.post(authorize_url, data={"sub": sub})
    assert response.status_code == 302, response.text
    return response.headers["location"]


def path_and_query(url: str) -> str:
    parts = urlparse(url)
    return f"{parts.path}?{parts.query}"


class EvilProvider:
    """A provider that answers the authorize request at once and issues the ID token ``mode`` asks for."""

    def __init__(self, client_id: str) -> None:
        self.client_id = client_id
        self.key = RSAKey.generate_key(2048, parameters={"kid": "key-1"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "key-1"})  # same kid, another key
        self.published = [self.key]
        self.mode = "good"
        self.claims: dict = {}
        self.codes: dict[str, tuple[str, str]] = {}  # code -> (nonce, PKCE challenge), used once
        self.jwks_fetches = 0
        self.client_public_key: RSAKey | None = None  # set: the client must authenticate with private_key_jwt
        self.client_assertions: list[dict] = []
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.runner: web.AppRunner | None = None

    def start(self) -> None:
        """Serve on a thread with its own event loop (the app under test may block the test's loop)."""
        self.loop = asyncio.new_event_loop()
        started = threading.Event()

        async def serve() -> None:
            app = web.Application()
            app.router.add_get("/.well-known/openid-configuration", self.discovery)
            app.router.add_get("/jwks", self.jwks)
            app.router.add_get("/authorize", self.authorize)
            app.router.add_post("/token", self.token)
            self.runner = web.AppRunner(app)
            await self.runner.setup()
            await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
            started.set()

        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        asyncio.run_coroutine_threadsafe(serve(), self.loop).result(10)
        assert started.is_set()

    def stop(self) -> None:
        asyncio.run_coroutine_threadsafe(self.runner.cleanup(), self.loop).result(10)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(5)

    async def discovery(self, _request: web.Request) -> web.Response:
        if self.mode == "down":
            return web.Response(status=502, text="bad gateway")
        return web.json_response({"issuer": self.url, "authorization_endpoint": self.url + "/authorize",
                                  "token_endpoint": self.url + "/token", "jwks_uri": self.url + "/jwks"})

    async def jwks(self, _request: web.Request) -> web.Response:
        self.jwks_fetches += 1
        return web.json_response(KeySet(self.published).as_dict(private=False))

    async def authorize(self, request: web.Request) -> web.Response:
        query = request.query
        code = f"code-{len(self.codes)}-{time.monotonic_ns()}"
        assert query.get("code_challenge_method") == "S256"
        self.codes[code] = (query["nonce"], query["code_challenge"])
        target = query["redirect_uri"] + "?" + urlencode({"code": code, "state": query["state"]})
        raise web.HTTPFound(target)

    async def token(self, request: web.Request) -> web.Response:
        if self.mode == "token_500":
            return web.Response(status=500, text="oops")
        form = await request.post()
        if self.client_public_key is not None and not self.client_authenticated(form):
            return web.json_response({"error": "invalid_client"}, status=401)
        nonce, challenge = self.codes.pop(str(form.get("code")), (None, None))
        verifier = str(form.get("code_verifier", ""))
        if nonce is None or _s256(verifier) != challenge:  # unknown or spent code, or PKCE not proven
            return web.json_response({"error": "invalid_grant"}, status=400)
        return web.json_response({"access_token": "x", "token_type": "Bearer", "id_token": self.id_token(nonce)})

    def client_authenticated(self, form) -> bool:
        if form.get("client_assertion_type") != "urn:ietf:params:oauth:client-assertion-type:jwt-bearer":
            return False
        try:
            token = jwt.decode(str(form.get("client_assertion")), self.client_public_key, algorithms=["RS256"])
            jwt.JWTClaimsRegistry(iss={"essential": True, "value": self.client_id},
                                  sub={"essential": True, "value": self.client_id},
                                  aud={"essential": True, "value": self.url + "/token"},
                                  exp={"essential": True}, jti={"essential": True}).validate(token.claims)
        except Exception:  # noqa: BLE001 - any failure means "not authenticated"
            return False
        self.client_assertions.append(token.claims)
        return True

    def id_token(self, nonce: str) -> str:
        now = int(time.time())
        claims = {"iss": self.url, "aud": self.client_id, "sub": "evil-subject", "iat": now, "exp": now + 300,
                  "nonce": nonce, **self.claims}
        key, header = self.key, {"alg": "RS256", "kid": "key-1"}
        match self.mode:
            case "wrong_nonce":
                claims["nonce"] = "not-the-nonce"
            case "expired":
                claims["iat"], claims["exp"] = now - 3600, now - 600
            case "future":
                claims["iat"], claims["exp"] = now + 3600, now + 7200
            case "wrong_audience":
                claims["aud"] = "someone-else"
            case "wrong_issuer":
                claims["iss"] = "https://evil.example"
            case "other_key":
                key = self.other_key
            case "rotated":  # a new key the app has not seen: published now, after the app fetched the old set
                new = RSAKey.generate_key(2048, parameters={"kid": "key-2"})
                self.published = [self.key, new]
                key, header = new, {"alg": "RS256", "kid": "key-2"}
            case "alg_none":
                return _unsigned(header | {"alg": "none"}, claims)
            case "hs256":  # signed with the client secret as an HMAC key: must not be accepted either
                return jwt.encode({"alg": "HS256"}, claims, OctKey.import_key("client-secret-" * 3))
        return jwt.encode(header, claims, key)


def _s256(verifier: str) -> str:
    import base64
    import hashlib

    return base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()


def _unsigned(header: dict, claims: dict) -> str:
    import base64

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    return f"{part(header)}.{part(claims)}."


def callback_params(location: str) -> dict[str, str]:
    return {k: v[0] for k, v in parse_qs(urlparse(location).query).items()}
