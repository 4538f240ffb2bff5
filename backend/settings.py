"""Application settings: one frozen msgspec Struct read from ``FSC_*`` environment variables.

Every field documents itself in the docstring below it; `.env.example` lists the same names.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import msgspec

PREFIX = "FSC_"
REPO_ROOT = Path(__file__).resolve().parent.parent
# The browsers' push services: Google FCM (Chrome, Edge on Android, Samsung, Opera), Mozilla
# autopush (Firefox), Apple (Safari), Microsoft WNS (Edge on Windows).
DEFAULT_PUSH_HOSTS = "fcm.googleapis.com,*.push.services.mozilla.com,*.push.apple.com,*.notify.windows.com"


class SettingsError(Exception):
    """A setting is missing or malformed; the message is one line meant for the operator."""


class Settings(msgspec.Struct, frozen=True, kw_only=True):
    secret_key: str
    """Secret for signing CSRF tokens and deriving session ids (at least 32 characters). Required."""

    cpr_key: str
    """Secret key for the keyed hash of CPR numbers (at least 32 characters). Required."""

    warehouse_secret: str
    """Shared HMAC secret(s) with the warehouse (>= 32 chars); comma-separated: first signs, any verifies. Required."""

    database_url: str | None = None
    """PostgreSQL URL; when unset, the embedded PostgreSQL under ``data_dir`` is started."""

    data_dir: str = str(REPO_ROOT / "var")
    """Directory for local state (embedded PostgreSQL data, dev secrets)."""

    host: str = "127.0.0.1"
    """Address the web server listens on."""

    port: int = 8000
    """Port the web server listens on."""

    web_workers: int = 1
    """Number of web server worker processes for ``fsc serve``."""

    env: str = "development"
    """``production`` or ``development``. Production refuses to start with the demo login on, with
    insecure cookies or without the login (OIDC) settings."""

    demo_login: bool = False
    """Offer the demo login (pick a demo citizen). Never enable in production."""

    service_phone: str = ""
    """Fælles Service Center's phone number as citizens should dial it (help, error pages, the
    accessibility statement). Required in production."""

    service_email: str = ""
    """Fælles Service Center's e-mail address for feedback and privacy questions. Required in production."""

    cookie_secure: bool = False
    """Mark cookies ``Secure`` (set to 1 behind HTTPS)."""

    citizen_idle_minutes: int = 120
    """A citizen's login ends after this many minutes without use."""

    citizen_session_hours: int = 12
    """A citizen's login ends at the latest this many hours after logging in, in use or not."""

    remember_idle_days: int = 30
    """With "remember this phone" at login: the citizen's login ends after this many days without use."""

    remember_session_days: int = 90
    """With "remember this phone" at login: the login ends at the latest this many days after logging in."""

    staff_idle_minutes: int = 30
    """A staff member's login ends after this many minutes without use."""

    staff_session_hours: int = 10
    """A staff member's login ends at the latest this many hours after logging in."""

    default_language: str = "da"
    """Language for visitors who have not chosen one (da or en)."""

    db_pool_min: int = 6
    """Connections each web process opens (and warms) at start, before it takes requests."""

    db_pool_max: int = 6
    """Maximum connections in each process's database pool. Above ``db_pool_min`` the pool grows
    under load with cold connections, which is what stalled a fresh process (docs/decisions.md,
    2026-11-29): a few connections per core serve more than many."""

    log_level: str = "INFO"
    """Python logging level (DEBUG, INFO, WARNING, ERROR). INFO writes one line per request."""

    log_format: str = "json"
    """``json``: one JSON object per line (for log collectors); ``text``: the same fields readable in a terminal."""

    metrics_port: int = 0
    """Prometheus metrics of this process on their own listener (``/metrics``); 0: off. Each process
    on one host needs a port of its own (see README)."""

    metrics_host: str = "127.0.0.1"
    """Address the metrics listener binds to: the operator's network interface, never the public one."""

    audit_log_keep_days: int = 1827
    """Days the access log (audit_log) is kept (5 years); older entries are purged nightly, none younger than 365."""

    citizen_keep_days: int = 1827
    """A citizen whose grants all ended more than this many days ago is anonymised (orders kept for the payers)."""

    job_history_keep_days: int = 30
    """Days the job queue's history (pgqueuer's log and statistics) is kept."""

    push_delivery_keep_days: int = 30
    """Days the record of which device got which notice is kept."""

    shutdown_timeout_s: int = 30
    """On SIGTERM: seconds a web process may take to finish the requests in flight (it takes no new
    connection) and a worker to finish its running jobs; after that the worker hands them back to the queue."""

    worker_heartbeat_s: int = 30
    """Seconds without a heartbeat after which a job whose worker died is picked again."""

    worker_jobs_in_flight: int = 8
    """Jobs one worker process holds at once (taken half as many at a time). What a worker that
    dies holds waits for its heartbeat to go stale; the rest of the queue does not."""

    warehouse_url: str = "http://127.0.0.1:8100"
    """Base URL of the warehouse partner's API (the worker sends pick lists and withdrawals there)."""

    warehouse_webhook_url: str = "http://127.0.0.1:8000/api/v1/warehouse/events"
    """Where the warehouse simulator posts its signed events (the app's webhook)."""

    warehouse_sim_port: int = 8100
    """Port the warehouse simulator (``fsc warehouse-sim``) listens on."""

    warehouse_sim_speed: float = 5.0
    """Warehouse simulator: seconds between two steps of a parcel's lifecycle."""

    warehouse_sim_failure_rate: float = 0.1
    """Warehouse simulator: probability (0 to 1) that a delivery attempt fails."""

    warehouse_sim_backorder_rate: float = 0.1
    """Warehouse simulator: probability (0 to 1) that an order has a backordered item."""

    warehouse_sim_seed: int | None = None
    """Warehouse simulator: seed for its random choices (same seed and order id, same lifecycle)."""

    vapid_private_key: str = ""
    """Web Push VAPID private key (base64url, from ``fsc vapid-keys``); unset: push notifications are off."""

    vapid_public_key: str = ""
    """Web Push VAPID public key (base64url, from ``fsc vapid-keys``); must belong to the private key."""

    vapid_subject: str = ""
    """Contact for push services in VAPID tokens: a mailto: or https: URL of the operator (needed with the keys)."""

    push_concurrency: int = 64
    """Web Push: requests to push services in flight at once per worker process."""

    push_hosts: str = DEFAULT_PUSH_HOSTS
    """Web Push: the push services we take subscriptions for and send to, comma-separated host names;
    ``*.name`` is any name below it, ``name:port`` allows that port (else only 443)."""

    push_allow_localhost: bool = False
    """Web Push, development and tests only: a push service on ``localhost`` (http, loopback) may be used.
    Refused with FSC_COOKIE_SECURE=1."""

    push_max_attempts: int = 30
    """Web Push: tries per notice before giving up on a failing device and removing it (30: about 2 hours)."""

    push_max_devices: int = 10
    """Web Push: devices per citizen; a new one replaces the oldest."""

    trusted_proxies: str = ""
    """Reverse proxies (addresses or CIDR networks, comma-separated) whose X-Forwarded-For header is
    believed for the client's address; empty (default): the connecting address is the client."""

    rate_limit_login: str = "30/1m,10/10m"
    """Logins (demo and OpenID Connect callbacks), per client address and per account: ``count/window``
    (window in s, m or h) or ``off``. Over a limit: 429 with Retry-After, nothing written."""

    rate_limit_order_check: str = "600/1m,120/1m"
    """The custom order form's live check (htmx, on typing), per client and per citizen."""

    rate_limit_callbacks: str = "100/1h,10/1h"
    """Booking, moving and cancelling callbacks together, per client and per citizen."""

    rate_limit_push_subscribe: str = "60/1h,10/1h"
    """Turning on notifications (push subscriptions), per client and per citizen."""

    rate_limit_push_renew: str = "60/1h,10/1h"
    """The service worker's subscription renewal (no login, no CSRF), per client and per citizen."""

    rate_limit_warehouse: str = "12000/1m,12000/1m"
    """The warehouse's signed status webhook, per client address and per partner."""

    rate_limit_power_code: str = "20/1h,10/1h"
    """Accepting a power of attorney with a code or link (and creating invitations), per client and per
    person: with 10-character codes, guessing one of the open invitations within this limit is hopeless."""
    rate_limit_grant_intake: str = "6000/1m,600/1m"
    """The grant intake API (/api/v1/grants), per client address and per API key."""

    grant_import_max_bytes: int = 20_000_000
    """Largest grant CSV file taken (upload page and ``fsc import-grants``); a larger one is refused
    before it is read (10,000 grants are about 2 MB)."""

    public_url: str = ""
    """Base URL the browsers use to reach the app (e.g. https://bestil.example.dk), for the OIDC redirect
    addresses; unset: taken from the request."""

    oidc_issuer: str = ""
    """Citizen login (MitID through NemLog-in or a broker): the OpenID Connect issuer URL; unset: off."""

    oidc_client_id: str = ""
    """Citizen login: our client id at the provider."""

    oidc_client_secret: str = ""
    """Citizen login: our client secret at the provider (client_secret_basic)."""

    oidc_client_key_file: str = ""
    """Citizen login: a PEM file with our RSA private key; set, the token request uses private_key_jwt
    (RFC 7523) instead of the client secret."""

    oidc_scopes: str = "openid profile"
    """Citizen login: scopes asked for, space-separated (must include openid)."""

    oidc_cpr_claim: str = "https://data.gov.dk/model/core/eid/cprNumber"
    """Citizen login: the ID token claim that carries the person's CPR number."""

    oidc_name_claim: str = "https://data.gov.dk/model/core/eid/fullName"
    """Citizen login: the ID token claim with the person's full name (falls back to ``name``)."""

    oidc_loa_claim: str = "https://data.gov.dk/concept/core/nsis/loa"
    """Citizen login: the ID token claim with the NSIS assurance level (Low, Substantial or High)."""

    oidc_min_loa: str = "substantial"
    """Citizen login: the lowest NSIS assurance level let in: low, substantial or high."""

    dev_oidc_port: int = 9400
    """``fsc dev`` only: port of the local OpenID provider it starts for trying the MitID and staff logins."""

    staff_oidc_issuer: str = ""
    """Staff login (the organisation's provider, e.g. Entra ID): the OpenID Connect issuer URL; unset: off."""

    staff_oidc_client_id: str = ""
    """Staff login: our client id at the organisation's provider."""

    staff_oidc_client_secret: str = ""
    """Staff login: our client secret at the organisation's provider."""

    staff_oidc_client_key_file: str = ""
    """Staff login: a PEM file with our RSA private key for private_key_jwt (instead of the client secret)."""

    staff_oidc_scopes: str = "openid profile email"
    """Staff login: scopes asked for, space-separated (must include openid)."""

    staff_oidc_roles_claim: str = "groups"
    """Staff login: the ID token claim with the member's groups or roles (a list of names)."""

    staff_oidc_advisor_groups: str = "fsc-advisors"
    """Staff login: comma-separated group names that make a member an advisor."""

    staff_oidc_supervisor_groups: str = "fsc-supervisors"
    """Staff login: comma-separated group names that make a member a supervisor (wins over advisor)."""

    staff_oidc_caseworker_groups: str = "fsc-caseworker"
    """Staff login: comma-separated group names that make a member an authority's caseworker (FSC groups win)."""

    staff_oidc_authority_claim: str = "authority_code"
    """Staff login: the claim with a caseworker's authority code (e.g. 751 for Aarhus); a caseworker without one is refused."""

    def __post_init__(self) -> None:
        if self.env not in ("production", "development"):
            raise SettingsError("FSC_ENV must be 'production' or 'development'")
        if len(self.secret_key) < 32:
            raise SettingsError("FSC_SECRET_KEY must be at least 32 characters long")
        if len(self.cpr_key) < 32:
            raise SettingsError("FSC_CPR_KEY must be at least 32 characters long")
        if self.default_language not in ("da", "en"):
            raise SettingsError("FSC_DEFAULT_LANGUAGE must be 'da' or 'en'")
        if not 1 <= self.port <= 65535:
            raise SettingsError("FSC_PORT must be between 1 and 65535")
        if self.web_workers < 1 or self.db_pool_min < 1:
            raise SettingsError("FSC_WEB_WORKERS and FSC_DB_POOL_MIN must be positive")
        for idle, lifetime in (("citizen_idle_minutes", "citizen_session_hours"),
                               ("remember_idle_days", "remember_session_days"),
                               ("staff_idle_minutes", "staff_session_hours")):
            if getattr(self, idle) < 1 or getattr(self, lifetime) < 1:
                raise SettingsError(f"FSC_{idle.upper()} and FSC_{lifetime.upper()} must be positive")
        if (self.citizen_idle_minutes > self.citizen_session_hours * 60
                or self.remember_idle_days > self.remember_session_days
                or self.staff_idle_minutes > self.staff_session_hours * 60):
            raise SettingsError("a session's idle timeout (FSC_*_IDLE_*) must not be longer than its lifetime "
                                "(FSC_*_SESSION_*)")
        if self.audit_log_keep_days < 365 or self.citizen_keep_days < 1:
            raise SettingsError("FSC_AUDIT_LOG_KEEP_DAYS must be at least 365 and FSC_CITIZEN_KEEP_DAYS positive")
        if self.job_history_keep_days < 1 or self.push_delivery_keep_days < 1:
            raise SettingsError("FSC_JOB_HISTORY_KEEP_DAYS and FSC_PUSH_DELIVERY_KEEP_DAYS must be positive")
        if not 1 <= self.shutdown_timeout_s <= 3600:
            raise SettingsError("FSC_SHUTDOWN_TIMEOUT_S must be between 1 and 3600")
        if self.grant_import_max_bytes < 1024:
            raise SettingsError("FSC_GRANT_IMPORT_MAX_BYTES must be at least 1024")
        if self.worker_heartbeat_s < 2:
            raise SettingsError("FSC_WORKER_HEARTBEAT_S must be at least 2")
        if not 2 <= self.worker_jobs_in_flight <= 1000:
            raise SettingsError("FSC_WORKER_JOBS_IN_FLIGHT must be between 2 and 1000")
        if self.db_pool_max < self.db_pool_min:
            raise SettingsError("FSC_DB_POOL_MAX must not be smaller than FSC_DB_POOL_MIN")
        if self.log_format not in ("json", "text"):
            raise SettingsError("FSC_LOG_FORMAT must be json or text")
        if not 0 <= self.metrics_port <= 65535 or (self.metrics_port and self.metrics_port == self.port):
            raise SettingsError("FSC_METRICS_PORT must be 0 (off) or a port other than FSC_PORT")
        if self.log_level.upper() not in ("DEBUG", "INFO", "WARNING", "ERROR"):
            raise SettingsError("FSC_LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR")
        if any(len(secret) < 32 for secret in self.warehouse_secret.split(",")):
            raise SettingsError("FSC_WAREHOUSE_SECRET: each secret must be at least 32 characters long")
        for name in ("warehouse_url", "warehouse_webhook_url"):
            if not getattr(self, name).startswith(("http://", "https://")):
                raise SettingsError(f"FSC_{name.upper()} must be an http:// or https:// URL")
        if not 1 <= self.warehouse_sim_port <= 65535:
            raise SettingsError("FSC_WAREHOUSE_SIM_PORT must be between 1 and 65535")
        if not 0 < self.warehouse_sim_speed <= 3600:
            raise SettingsError("FSC_WAREHOUSE_SIM_SPEED must be more than 0 and at most 3600 seconds")
        for name in ("warehouse_sim_failure_rate", "warehouse_sim_backorder_rate"):
            if not 0 <= getattr(self, name) <= 1:
                raise SettingsError(f"FSC_{name.upper()} must be between 0 and 1")
        if bool(self.vapid_private_key) != bool(self.vapid_public_key):
            raise SettingsError("FSC_VAPID_PRIVATE_KEY and FSC_VAPID_PUBLIC_KEY must be set together (fsc vapid-keys)")
        if self.vapid_private_key:
            from backend.push.vapid import VapidKeyError, check_key_pair

            try:
                check_key_pair(self.vapid_private_key, self.vapid_public_key)
            except VapidKeyError as exc:
                raise SettingsError(f"FSC_VAPID_PRIVATE_KEY/FSC_VAPID_PUBLIC_KEY: {exc}") from None
        if (self.vapid_private_key or self.vapid_subject) and not self.vapid_subject.startswith(("mailto:", "https://")):
            raise SettingsError("FSC_VAPID_SUBJECT must be a mailto: or https:// URL (the operator's contact)")
        if not 1 <= self.push_concurrency <= 1000:
            raise SettingsError("FSC_PUSH_CONCURRENCY must be between 1 and 1000")
        from backend.push.endpoints import PushHostsError, parse_push_hosts

        try:
            parse_push_hosts(self.push_hosts)
        except PushHostsError as exc:
            raise SettingsError(str(exc)) from None
        if self.push_allow_localhost and self.cookie_secure:
            raise SettingsError("FSC_PUSH_ALLOW_LOCALHOST is for development and tests; it cannot be used with "
                                "FSC_COOKIE_SECURE=1 (production)")
        if not 1 <= self.push_max_attempts <= 1000:
            raise SettingsError("FSC_PUSH_MAX_ATTEMPTS must be between 1 and 1000")
        if not 1 <= self.push_max_devices <= 100:
            raise SettingsError("FSC_PUSH_MAX_DEVICES must be between 1 and 100")
        from backend.ratelimit.rules import RULES, LimitSpecError, parse_networks, parse_rule

        for rule in RULES:
            try:
                parse_rule(getattr(self, f"rate_limit_{rule}"))
            except LimitSpecError as exc:
                raise SettingsError(f"FSC_RATE_LIMIT_{rule.upper()}: {exc}") from None
        try:
            parse_networks(self.trusted_proxies)
        except ValueError as exc:
            raise SettingsError(f"FSC_TRUSTED_PROXIES must be addresses or networks, comma-separated: {exc}") from None

        if self.oidc_min_loa not in ("low", "substantial", "high"):
            raise SettingsError("FSC_OIDC_MIN_LOA must be low, substantial or high")
        for prefix in ("oidc", "staff_oidc"):
            issuer, client_id = getattr(self, f"{prefix}_issuer"), getattr(self, f"{prefix}_client_id")
            if issuer and not issuer.startswith(("http://", "https://")):
                raise SettingsError(f"FSC_{prefix.upper()}_ISSUER must be an http:// or https:// URL")
            if issuer and not client_id:
                raise SettingsError(f"FSC_{prefix.upper()}_CLIENT_ID is needed with FSC_{prefix.upper()}_ISSUER")
            if issuer and "openid" not in getattr(self, f"{prefix}_scopes").split():
                raise SettingsError(f"FSC_{prefix.upper()}_SCOPES must include openid")
            key_file = getattr(self, f"{prefix}_client_key_file")
            if key_file:
                from backend.auth.oidc import check_client_key

                problem = check_client_key(key_file)
                if problem:
                    raise SettingsError(f"FSC_{prefix.upper()}_CLIENT_KEY_FILE: {problem}")
        if self.public_url and not self.public_url.startswith(("http://", "https://")):
            raise SettingsError("FSC_PUBLIC_URL must be an http:// or https:// URL")
        if self.env == "production" and (problems := self.production_problems()):
            raise SettingsError("\n".join(problems))

    def production_problems(self) -> list[str]:
        """Why these settings must not serve real citizens: one line each, empty when none."""
        problems = []
        if self.demo_login:
            problems.append("FSC_ENV=production: the demo login must be off (FSC_DEMO_LOGIN=0)")
        if not self.cookie_secure:
            problems.append("FSC_ENV=production: cookies must be Secure behind HTTPS (FSC_COOKIE_SECURE=1)")
        if not self.service_phone or "@" not in self.service_email:
            problems.append("FSC_ENV=production: citizens need FSC's phone number and e-mail "
                            "(FSC_SERVICE_PHONE, FSC_SERVICE_EMAIL)")
        if self.push_allow_localhost:
            problems.append("FSC_ENV=production: FSC_PUSH_ALLOW_LOCALHOST is for development and tests only")
        return problems

    @property
    def push_enabled(self) -> bool:
        """Web Push is configured (a VAPID key pair is set)."""
        return bool(self.vapid_private_key)

    @property
    def warehouse_secrets(self) -> tuple[bytes, ...]:
        """The warehouse secrets as bytes, current first (for signing.sign / signing.verify)."""
        return tuple(secret.encode("utf-8") for secret in self.warehouse_secret.split(","))

    @property
    def as_environ(self) -> dict[str, str]:
        """The settings as ``FSC_*`` variables, to hand to child processes."""
        out = {}
        for name in self.__struct_fields__:
            value = getattr(self, name)
            if value is None:
                continue
            out[PREFIX + name.upper()] = ("1" if value else "0") if isinstance(value, bool) else str(value)
        return out


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def _convert(name: str, raw: str, annotation: Any) -> Any:
    env_name = PREFIX + name.upper()
    if annotation in ("bool", bool):
        low = raw.strip().lower()
        if low in _TRUE:
            return True
        if low in _FALSE:
            return False
        raise SettingsError(f"{env_name} must be 1/0, true/false, yes/no or on/off, got {raw!r}")
    if annotation in ("int", int, "int | None"):
        try:
            return int(raw)
        except ValueError:
            raise SettingsError(f"{env_name} must be a whole number, got {raw!r}") from None
    if annotation in ("float", float):
        try:
            value = float(raw)
        except ValueError:
            raise SettingsError(f"{env_name} must be a number, got {raw!r}") from None
        if value != value or value in (float("inf"), float("-inf")):
            raise SettingsError(f"{env_name} must be a finite number, got {raw!r}")
        return value
    return raw


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read settings from the environment; raise SettingsError with one clear line on a problem."""
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    annotations = Settings.__annotations__
    for name in Settings.__struct_fields__:
        raw = environ.get(PREFIX + name.upper())
        if raw is None or (raw == "" and name in ("database_url", "warehouse_sim_seed")):
            continue
        values[name] = _convert(name, raw, annotations[name])
    for required in ("secret_key", "cpr_key", "warehouse_secret"):
        if required not in values:
            raise SettingsError(f"{PREFIX}{required.upper()} is required but not set (see .env.example)")
    try:
        return Settings(**values)
    except msgspec.ValidationError as exc:  # pragma: no cover - types are converted above
        raise SettingsError(str(exc)) from None
