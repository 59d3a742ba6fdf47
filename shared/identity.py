"""Who is calling: the gateway signs the caller's identity and scope; services verify it.

The token is short-lived (IDENTITY_MAX_AGE_S) and signed with the key the gateway and services
share, so a phone can never forge or widen its own scope.
"""
from dataclasses import dataclass, field

from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer

from shared.errors import DomainError, Forbidden

HEADER = "X-Grid-Identity"
ROLES = ("grid_worker", "community_staff", "mediator", "team_leader", "operator", "admin")
# A resident on a public page (a volunteer sign-up link, a certificate check, a survey): no scope at all.
PUBLIC_ROLE = "resident"
DISTRICT_ROLES = ("operator", "admin")

PERMISSIONS = {
    "register.read": {"grid_worker", "community_staff", "mediator", "admin"},
    "register.write": {"grid_worker", "community_staff", "admin"},
    "register.reveal": {"grid_worker", "community_staff", "admin"},
    "visits.write": {"grid_worker", "community_staff", "admin"},
    "grids.manage": {"community_staff", "admin"},
    "reports.read": set(ROLES),
}


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

    @property
    def district_wide(self) -> bool:
        return self.role in DISTRICT_ROLES

    def may(self, permission: str) -> bool:
        return self.role in PERMISSIONS.get(permission, set())

    def require(self, permission: str) -> None:
        """Refuse unless the role carries `permission`."""
        if not self.may(permission):
            raise Forbidden(f"role {self.role} may not {permission}")

    def covers(self, *, community_id: str | None, grid_id: str | None) -> bool:
        """True when the object at this place is within the caller's scope (deny by default)."""
        if self.district_wide:
            return True
        return (grid_id is not None and grid_id in self.grid_ids) or (
            community_id is not None and community_id in self.community_ids
        )

    def to_claims(self) -> dict:
        return {"sub": self.user_id, "role": self.role, "name": self.name,
                "grids": list(self.grid_ids), "communities": list(self.community_ids)}


def _serializer(secret: str) -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret, salt="grid-identity")


def sign(principal: Principal, *, secret: str) -> str:
    """The header value the gateway sends with each call to a service."""
    return _serializer(secret).dumps(principal.to_claims())


def verify(token: str | None, *, secret: str, max_age_s: int) -> Principal:
    """The caller, if the token is genuine and fresh; Unauthenticated otherwise."""
    if not token:
        raise Unauthenticated("no identity given")
    try:
        claims = _serializer(secret).loads(token, max_age=max_age_s)
    except SignatureExpired:
        raise Unauthenticated("identity expired") from None
    except BadSignature:
        raise Unauthenticated("identity not genuine") from None
    if claims.get("role") not in ROLES + (PUBLIC_ROLE,):
        raise Unauthenticated("unknown role")
    return Principal(
        user_id=str(claims["sub"]), role=claims["role"], name=claims.get("name", ""),
        grid_ids=tuple(claims.get("grids", ())), community_ids=tuple(claims.get("communities", ())),
    )
