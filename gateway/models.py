"""The gateway's documents: users with a role and a scope, server-side sessions, and the audit trail."""
import mongoengine as me

from gateway.db import ALIAS
from shared.clock import now
from shared.identity import ROLES, Principal

CODE = r"^[A-Za-z0-9_-]{1,40}$"
USERNAME = r"^[a-z0-9][a-z0-9._-]{1,39}$"
# What each role's scope is made of: grid workers serve grids, most others communities, a street's staff streets
# (the gateway signs their streets' communities, gateway/auth.py), operators and admins the whole district.
SCOPE_KIND = {"grid_worker": "grids", "community_staff": "communities", "street_staff": "streets", "mediator": "communities",
              "team_leader": "communities", "operator": "district", "admin": "district"}


class User(me.Document):
    """Someone who signs in: a role and the grids or communities they serve."""

    username = me.StringField(required=True, unique=True, regex=USERNAME)
    name = me.StringField(required=True, max_length=40)
    role = me.StringField(required=True, choices=ROLES)
    grid_ids = me.ListField(me.StringField(regex=CODE))
    community_ids = me.ListField(me.StringField(regex=CODE))
    street_ids = me.ListField(me.StringField(regex=CODE))  # a street's staff: the streets (街道) they serve
    password_hash = me.StringField(required=True)
    active = me.BooleanField(default=True)
    created_at = me.DateTimeField(default=now)
    created_by = me.StringField()
    updated_at = me.DateTimeField(default=now)
    updated_by = me.StringField()
    password_changed_at = me.DateTimeField(default=now)
    # Set when someone other than the user chose the password (seeded, created or reset by an admin):
    # every page then asks for a new one first.
    must_change_password = me.BooleanField(default=False)
    last_login_at = me.DateTimeField()
    meta = {"collection": "users", "db_alias": ALIAS, "indexes": ["role"]}

    def principal(self) -> Principal:
        """The identity the gateway signs for the services on this user's behalf."""
        return Principal(user_id=str(self.pk), role=self.role, name=self.name,
                         grid_ids=tuple(self.grid_ids), community_ids=tuple(self.community_ids),
                         street_ids=tuple(self.street_ids or ()))


class SessionRecord(me.Document):
    """A signed-in (or about to sign in) browser. The cookie holds a random token; only its hash is stored."""

    id = me.StringField(primary_key=True)  # sha256 of the cookie's token
    user_id = me.StringField()
    data = me.DictField()
    created_at = me.DateTimeField(required=True)
    last_seen = me.DateTimeField(required=True)
    expires_at = me.DateTimeField(required=True)  # absolute end: created_at + 12 h
    ip = me.StringField(max_length=64)
    user_agent = me.StringField(max_length=200)
    meta = {"collection": "sessions", "db_alias": ALIAS,
            "indexes": ["user_id", {"fields": ["expires_at"], "expireAfterSeconds": 0}]}


class AuditEntry(me.Document):
    """Who changed a user, or signed in and out, and when."""

    at = me.DateTimeField(default=now)
    by = me.StringField()
    user_id = me.StringField()
    action = me.StringField(required=True)
    detail = me.DictField()
    ip = me.StringField(max_length=64)
    meta = {"collection": "audit", "db_alias": ALIAS, "indexes": ["user_id", "-at"]}


class SignInFailures(me.Document):
    """Failed sign-ins counted under one key: an account from an address, an account, or an address."""

    id = me.StringField(primary_key=True)  # "pair:<account>|<address>", "account:<account>", "address:<address>"
    count = me.IntField(default=0)
    last_at = me.DateTimeField(required=True)
    expires_at = me.DateTimeField(required=True)  # last_at + the counting window
    meta = {"collection": "sign_in_failures", "db_alias": ALIAS,
            "indexes": [{"fields": ["expires_at"], "expireAfterSeconds": 0}, "-last_at"]}
