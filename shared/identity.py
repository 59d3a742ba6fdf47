"""Who is calling: the gateway signs the caller's identity and scope for one call; services verify it.

The token is a JWT signed with the gateway's Ed25519 private key (IDENTITY_PRIVATE_KEY). A service holds
only the public key (IDENTITY_PUBLIC_KEY): it can check an identity but never mint one, so a compromised
service cannot speak as anyone to another service. Each token names its audience (the service), the HTTP
method and the path (as the service sees it: decoded, without the query string) and lives at most
MAX_AGE_S. The query string is not bound: it only filters or pages within the scope the identity carries.
Residual risk: within those seconds, a captured token can be replayed to the same service, method and path.
"""
import base64
import binascii
import functools
import time
from dataclasses import dataclass, field
from urllib.parse import unquote, urlsplit

import jwt
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from shared.errors import DomainError, Forbidden
from shared.permissions import DISTRICT_ROLES, PUBLIC_ROLE, ROLES, may
from shared.reasons import common as reasons

HEADER = "X-Grid-Identity"
# The longest an identity lives; IDENTITY_MAX_AGE_S may only shorten it.
MAX_AGE_S = 30
# How far the gateway's clock may run ahead of a service's (an identity "issued in the future").
CLOCK_SKEW_S = 5
ALGORITHM = "EdDSA"
ISSUER = "grid-gateway"
REQUIRED_CLAIMS = ["iss", "aud", "iat", "exp", "sub", "role", "mth", "pth"]


class Unauthenticated(DomainError):
    status = 401
    code = "unauthenticated"


@dataclass(frozen=True)
class Principal:
    user_id: str
    role: str
    name: str = ""
    grid_ids: tuple[str, ...] = field(default_factory=tuple)
    community_ids: tuple[str, ...] = field(default_factory=tuple)
    # A street's staff: their streets; the gateway puts the streets' communities in `community_ids` when it signs.
    street_ids: tuple[str, ...] = field(default_factory=tuple)

    @property
    def district_wide(self) -> bool:
        return self.role in DISTRICT_ROLES

    def may(self, permission: str) -> bool:
        """True when the caller's role carries `permission` (shared.permissions)."""
        return may(self.role, permission)

    def require(self, permission: str) -> None:
        """Refuse unless the role carries `permission`."""
        if not self.may(permission):
            raise Forbidden(reasons.ROLE_MAY_NOT(role=self.role, permission=permission))

    def covers(self, *, community_id: str | None, grid_id: str | None) -> bool:
        """True when the object at this place is within the caller's scope (deny by default)."""
        if self.district_wide:
            return True
        return (grid_id is not None and grid_id in self.grid_ids) or (
            community_id is not None and community_id in self.community_ids
        )

    def to_claims(self) -> dict:
        return {"sub": self.user_id, "role": self.role, "name": self.name,
                "grids": list(self.grid_ids), "communities": list(self.community_ids),
                "streets": list(self.street_ids)}

    @classmethod
    def from_claims(cls, claims: dict) -> "Principal":
        """The principal a token's (or a test marker's) claims name."""
        return cls(user_id=str(claims["sub"]), role=claims["role"], name=claims.get("name", ""),
                   grid_ids=tuple(claims.get("grids", ())), community_ids=tuple(claims.get("communities", ())),
                   street_ids=tuple(claims.get("streets", ())))


# ---- keys: one line of base64 each (the raw 32 bytes of an Ed25519 key) ----------------------------------

def generate_key_pair() -> tuple[str, str]:
    """A new (private, public) key pair for IDENTITY_PRIVATE_KEY and IDENTITY_PUBLIC_KEY."""
    private = Ed25519PrivateKey.generate()
    raw_private = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    raw_public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    return base64.b64encode(raw_private).decode(), base64.b64encode(raw_public).decode()


def _raw(text: str, what: str) -> bytes:
    try:
        raw = base64.b64decode(text.strip(), validate=True)
    except (binascii.Error, ValueError, AttributeError):
        raise ValueError(f"{what} is not base64") from None
    if len(raw) != 32:
        raise ValueError(f"{what} must be a 32-byte Ed25519 key in base64 (see `python -m shared.identity`)")
    return raw


@functools.lru_cache(maxsize=8)
def private_key(text: str) -> Ed25519PrivateKey:
    """The gateway's signing key from its IDENTITY_PRIVATE_KEY text; ValueError when it is not one."""
    return Ed25519PrivateKey.from_private_bytes(_raw(text, "IDENTITY_PRIVATE_KEY"))


@functools.lru_cache(maxsize=8)
def public_key(text: str) -> Ed25519PublicKey:
    """A service's checking key from its IDENTITY_PUBLIC_KEY text; ValueError when it is not one."""
    return Ed25519PublicKey.from_public_bytes(_raw(text, "IDENTITY_PUBLIC_KEY"))


def request_path(path: str) -> str:
    """The path a service will see for a URL path as sent: percent-decoded, without the query string."""
    return unquote(urlsplit(path).path) or "/"


# ---- tokens -----------------------------------------------------------------------------------------------

def sign(principal: Principal, *, key: str, audience: str, method: str, path: str, now: float | None = None,
         ttl_s: int = MAX_AGE_S) -> str:
    """The header value the gateway sends with one call: `method` `path` on service `audience`."""
    issued = int(time.time() if now is None else now)
    claims = {**principal.to_claims(), "iss": ISSUER, "aud": audience, "iat": issued, "exp": issued + ttl_s,
              "mth": method.upper(), "pth": request_path(path)}
    return jwt.encode(claims, private_key(key), algorithm=ALGORITHM)


def verify(token: str | None, *, key: str, audience: str, method: str, path: str,
           max_age_s: int = MAX_AGE_S) -> Principal:
    """The caller, if the token is genuine, fresh and made for this service, method and path."""
    if not token:
        raise Unauthenticated(reasons.IDENTITY_MISSING())
    try:
        claims = jwt.decode(token, public_key(key), algorithms=[ALGORITHM], audience=audience, issuer=ISSUER,
                            leeway=CLOCK_SKEW_S, options={"require": REQUIRED_CLAIMS})
    except jwt.ExpiredSignatureError:
        raise Unauthenticated(reasons.IDENTITY_EXPIRED()) from None
    except jwt.InvalidAudienceError:
        raise Unauthenticated(reasons.IDENTITY_OTHER_SERVICE()) from None
    except jwt.InvalidTokenError:
        raise Unauthenticated(reasons.IDENTITY_FORGED()) from None
    issued, expires = claims["iat"], claims["exp"]
    if time.time() - issued > min(max_age_s, MAX_AGE_S) or expires - issued > MAX_AGE_S:
        raise Unauthenticated(reasons.IDENTITY_EXPIRED())
    if claims["mth"] != method.upper() or claims["pth"] != path:
        raise Unauthenticated(reasons.IDENTITY_OTHER_REQUEST())
    if claims.get("role") not in ROLES + (PUBLIC_ROLE,):
        raise Unauthenticated(reasons.IDENTITY_UNKNOWN_ROLE())
    return Principal.from_claims(claims)


class IdentityAuth:
    """requests auth: signs `principal` for each request to service `audience` (seeding, benchmarks)."""

    def __init__(self, principal: Principal, *, key: str, audience: str):
        self.principal, self.key, self.audience = principal, key, audience

    def __call__(self, prepared):
        prepared.headers[HEADER] = sign(self.principal, key=self.key, audience=self.audience,
                                        method=prepared.method, path=prepared.path_url)
        return prepared


if __name__ == "__main__":
    private, public = generate_key_pair()
    print(f"IDENTITY_PRIVATE_KEY={private}\nIDENTITY_PUBLIC_KEY={public}")
