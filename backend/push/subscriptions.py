"""Checking what a browser sends when it subscribes (PushSubscription.toJSON()), and naming devices."""

from __future__ import annotations

import re

import msgspec
from cryptography.hazmat.primitives.asymmetric import ec

from backend.i18n import gettext as _
from backend.push.endpoints import EndpointPolicy, Refusal
from backend.push.vapid import b64url_decode

_BASE64URL = re.compile(r"^[A-Za-z0-9_-]+={0,2}$")


class InvalidSubscription(Exception):
    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class SubscriptionKeys(msgspec.Struct):
    p256dh: str
    auth: str


class SubscriptionIn(msgspec.Struct):
    """POST /notifications/subscriptions (extra fields such as expirationTime are ignored)."""

    endpoint: str
    keys: SubscriptionKeys


class RenewalIn(msgspec.Struct):
    """POST /notifications/subscriptions/renew: the new subscription and proof of the old one."""

    old_endpoint: str
    old_auth: str
    endpoint: str
    keys: SubscriptionKeys


def _key(value: str, length: int) -> bytes:
    if not _BASE64URL.fullmatch(value):
        raise ValueError
    raw = b64url_decode(value.rstrip("="))
    if len(raw) != length:
        raise ValueError
    return raw


def check_endpoint(endpoint: str, policy: EndpointPolicy) -> str:
    """Only an allowed push service's https URL (see backend/push/endpoints.py)."""
    refusal = policy.refusal(endpoint)
    if refusal is Refusal.UNKNOWN_SERVICE:
        raise InvalidSubscription(_("This browser uses a notification service we cannot send to. "
                                    "Try another browser, such as Chrome, Firefox, Edge or Safari."))
    if refusal is not None:
        raise InvalidSubscription(_("The push service address from this phone is not valid. Try again."))
    return endpoint


def check_keys(keys: SubscriptionKeys) -> SubscriptionKeys:
    """The device's P-256 public key (65 bytes, a point on the curve) and auth secret (16 bytes)."""
    try:
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), _key(keys.p256dh, 65))
        _key(keys.auth, 16)
    except ValueError:
        raise InvalidSubscription(_("The encryption keys from this phone are not valid. Try again.")) from None
    return SubscriptionKeys(keys.p256dh.rstrip("="), keys.auth.rstrip("="))


def decode(body: bytes, struct: type[msgspec.Struct]):
    try:
        return msgspec.json.decode(body, type=struct)
    except msgspec.MsgspecError:
        raise InvalidSubscription(_("The request from this phone was not understood. Reload the page and try again.")) from None


def parse_subscription(body: bytes, struct: type[msgspec.Struct], policy: EndpointPolicy):
    """Decode a subscription body (new or renewal) and check its endpoint and keys; the checked
    endpoint and keys are returned with the decoded struct. Raises InvalidSubscription."""
    incoming = decode(body, struct)
    return incoming, check_endpoint(incoming.endpoint, policy), check_keys(incoming.keys)


def device_label(user_agent: str) -> str:
    """A short, recognisable name for the list of devices, e.g. "iPhone · Safari"."""
    ua = user_agent or ""
    device = next((name for needle, name in (("iPhone", "iPhone"), ("iPad", "iPad"), ("Android", "Android"),
                                             ("Windows", "Windows"), ("Macintosh", "Mac"), ("CrOS", "Chromebook"),
                                             ("Linux", "Linux")) if needle in ua), "")
    browser = next((name for needle, name in (("EdgA", "Edge"), ("Edg/", "Edge"), ("SamsungBrowser", "Samsung Internet"),
                                              ("Firefox", "Firefox"), ("FxiOS", "Firefox"), ("CriOS", "Chrome"),
                                              ("Chrome", "Chrome"), ("Safari", "Safari")) if needle in ua), "")
    return " · ".join(part for part in (device, browser) if part)[:60]
