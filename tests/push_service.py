"""A local Web Push service for tests and the benchmark: a real HTTP server on 127.0.0.1.

It plays the push service of many devices. For every message it checks what a real push service
checks (a VAPID JWT signed ES256 by the expected public key, audience = this origin, expiry within
24 h, a mailto:/https: subject; TTL, Urgency, Topic; aes128gcm; at most 4096 bytes) and, playing
the device, decrypts the payload with ``http_ece`` using the device's private key and auth secret.
Each device answers with a scripted list of statuses (e.g. 429 then 201); 201 once the list is used.

It listens on 127.0.0.1 and its devices' endpoints name it ``http://localhost:<port>``: the app
sends there only with ``push_env()`` (``localhost:<port>`` allow-listed, FSC_PUSH_ALLOW_LOCALHOST).

Run alone (the benchmark does): python tests/push_service.py --devices N --gone-percent 2 --out FILE
prints "READY <port>" and serves GET /stats.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import os
import secrets
import sys
import time
from dataclasses import dataclass, field

import http_ece
from aiohttp import web
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.asymmetric.utils import encode_dss_signature

URGENCIES = {"very-low", "low", "normal", "high"}
TOPIC_CHARS = set("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_")


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def unb64url(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass
class Device:
    token: str
    private_key: ec.EllipticCurvePrivateKey
    p256dh: str
    auth: str
    statuses: list[int] = field(default_factory=list)   # answers to come, then 201
    endpoint: str = ""


@dataclass
class Message:
    token: str
    payload: dict
    ttl: int
    urgency: str
    topic: str | None
    at: float


class LocalPushService:
    def __init__(self, vapid_public_key: str) -> None:
        self.vapid_public_key = vapid_public_key.rstrip("=")
        self._verifier = ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), unb64url(vapid_public_key))
        self.devices: dict[str, Device] = {}
        self.messages: list[Message] = []
        self.errors: list[str] = []
        self.answered: dict[int, int] = {}
        self._verified_tokens: set[str] = set()
        self._runner: web.AppRunner | None = None
        self.origin = ""
        self.retry_after = "1"

    # --- devices --------------------------------------------------------------------------------

    def add_device(self, statuses: list[int] | None = None) -> Device:
        key = ec.generate_private_key(ec.SECP256R1())
        public = key.public_key().public_bytes(serialization.Encoding.X962,
                                               serialization.PublicFormat.UncompressedPoint)
        token = secrets.token_urlsafe(12)
        device = Device(token, key, b64url(public), b64url(os.urandom(16)), list(statuses or []),
                        f"{self.origin}/push/{token}")
        self.devices[token] = device
        return device

    def messages_for(self, device: Device) -> list[Message]:
        return [m for m in self.messages if m.token == device.token]

    # --- server ---------------------------------------------------------------------------------

    async def start(self, port: int = 0) -> str:
        app = web.Application(client_max_size=8192)
        app.router.add_post("/push/{token}", self._push)
        app.router.add_get("/stats", self._stats)
        self._runner = web.AppRunner(app, access_log=None)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", port)
        await site.start()
        bound = site._server.sockets[0].getsockname()[1]  # type: ignore[union-attr]
        self.origin = f"http://localhost:{bound}"
        return self.origin

    def push_env(self) -> dict[str, str]:
        """The settings that let the app send to this service (and only in development and tests)."""
        return push_env(int(self.origin.rsplit(":", 1)[1]))

    async def stop(self) -> None:
        if self._runner is not None:
            await self._runner.cleanup()

    def _verify_vapid(self, authorization: str) -> str | None:
        """None when the VAPID header is good, else what is wrong."""
        scheme, _, params = authorization.partition(" ")
        if scheme.lower() != "vapid":
            return "not a vapid Authorization header"
        parts = dict(item.split("=", 1) for item in params.split(",") if "=" in item)
        if parts.get("k", "").rstrip("=") != self.vapid_public_key:
            return "unknown VAPID public key"
        token = parts.get("t", "")
        if token not in self._verified_tokens:  # the ECDSA check once per token (as push services cache)
            try:
                header_b64, claims_b64, signature_b64 = token.split(".")
                header = json.loads(unb64url(header_b64))
                signature = unb64url(signature_b64)
                if header.get("alg") != "ES256" or len(signature) != 64:
                    return "not an ES256 JWT"
                der = encode_dss_signature(int.from_bytes(signature[:32], "big"), int.from_bytes(signature[32:], "big"))
                self._verifier.verify(der, f"{header_b64}.{claims_b64}".encode(), ec.ECDSA(hashes.SHA256()))
            except (ValueError, InvalidSignature) as exc:
                return f"bad JWT: {exc!r}"
            self._verified_tokens.add(token)
        claims = json.loads(unb64url(token.split(".")[1]))
        if claims.get("aud") != self.origin:
            return f"wrong audience {claims.get('aud')}"
        if not time.time() < claims.get("exp", 0) <= time.time() + 24 * 3600:
            return "expired or too far in the future"
        if not str(claims.get("sub", "")).startswith(("mailto:", "https://")):
            return "no subject"
        return None

    async def _push(self, request: web.Request) -> web.Response:
        device = self.devices.get(request.match_info["token"])
        if device is None:
            return self._answer(404)
        problem = self._verify_vapid(request.headers.get("Authorization", ""))
        ttl = request.headers.get("TTL", "")
        urgency = request.headers.get("Urgency", "normal")
        topic = request.headers.get("Topic")
        if problem is None and not ttl.isdigit():
            problem = "no TTL"
        if problem is None and urgency not in URGENCIES:
            problem = f"bad Urgency {urgency}"
        if problem is None and topic is not None and (len(topic) > 32 or not set(topic) <= TOPIC_CHARS):
            problem = f"bad Topic {topic}"
        if problem is None and request.headers.get("Content-Encoding") != "aes128gcm":
            problem = "not aes128gcm"
        body = await request.read()
        if problem is None and len(body) > 4096:
            return self._answer(413)
        if problem is not None:
            self.errors.append(problem)
            return self._answer(401 if "JWT" in problem or "VAPID" in problem else 400)
        status = device.statuses.pop(0) if device.statuses else 201
        if status in (201, 200, 202):
            try:  # the device's part: decrypt with its private key and auth secret
                plain = http_ece.decrypt(body, private_key=device.private_key, auth_secret=unb64url(device.auth),
                                         version="aes128gcm")
                payload = json.loads(plain)
            except Exception as exc:  # noqa: BLE001 - any failure is a test failure, recorded
                self.errors.append(f"cannot decrypt: {exc!r}")
                return self._answer(400)
            self.messages.append(Message(device.token, payload, int(ttl), urgency, topic, time.time()))
        return self._answer(status)

    def _answer(self, status: int) -> web.Response:
        self.answered[status] = self.answered.get(status, 0) + 1
        headers = {"Retry-After": self.retry_after} if status in (429, 503) else {}
        if status == 201:
            headers["Location"] = f"{self.origin}/message/{len(self.messages)}"
        return web.Response(status=status, headers=headers)

    async def _stats(self, _request: web.Request) -> web.Response:
        return web.json_response({"verified": len(self.messages), "errors": len(self.errors),
                                  "first_errors": self.errors[:5], "answered": self.answered})


def push_env(port: int) -> dict[str, str]:
    return {"FSC_PUSH_HOSTS": f"localhost:{port}", "FSC_PUSH_ALLOW_LOCALHOST": "1"}


async def _serve(args: argparse.Namespace) -> None:
    service = LocalPushService(args.vapid_public_key)
    await service.start(args.port)
    step = round(100 / args.gone_percent) if args.gone_percent else 0   # 2 % → every 50th device is gone
    with open(args.out, "w", encoding="utf-8") as out:
        for index in range(args.devices):
            is_gone = bool(step) and index % step == 0
            device = service.add_device([410] * 100 if is_gone else None)
            out.write(json.dumps({"endpoint": device.endpoint, "p256dh": device.p256dh, "auth": device.auth,
                                  "gone": is_gone}) + "\n")
    print(f"READY {service.origin.rsplit(':', 1)[1]}", flush=True)
    await asyncio.Event().wait()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--devices", type=int, required=True)
    parser.add_argument("--gone-percent", type=float, default=2.0)
    parser.add_argument("--vapid-public-key", required=True)
    parser.add_argument("--out", required=True)
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args()
    try:
        import uvloop

        uvloop.run(_serve(args))
    except ImportError:  # pragma: no cover
        asyncio.run(_serve(args))


if __name__ == "__main__":
    sys.exit(main())
