"""The first administrator and demo users.

    python -m gateway.seed admin --username admin          (password from GATEWAY_ADMIN_PASSWORD or a prompt)
    python -m gateway.seed demo --password P --grids g1,g2 --communities c1 --streets s1

`make run` makes its demo accounts through gateway.accounts_cli demo, which calls
`seed_demo_users(app, password=..., users=...)`; tests call it with grid and community ids.
"""
import argparse
import getpass
import os
import sys
from collections.abc import Iterable, Sequence

from gateway.models import User
from gateway.users import UserInvalid, create_user, update_user


def ensure_admin(app, *, username: str, password: str, name: str = "管理员") -> User:
    """Create the first administrator, or return the existing user of that name unchanged."""
    with app.app_context():
        existing = User.objects(username=username.strip().lower()).first()
        if existing:
            return existing
        return create_user(username=username, password=password, role="admin", name=name, by="seed")


def demo_users(*, grid_ids: Sequence[str], community_ids: Sequence[str], street_ids: Sequence[str] = ()) -> list[dict]:
    """The default demo cast for a district: an admin and operator, street staff per street (street-cg),
    staff per community, a mediator and team leader (of the first community), and one grid worker per grid."""
    users = [{"username": "admin", "name": "系统管理员", "role": "admin"},
             {"username": "operator", "name": "区运维", "role": "operator"}]
    for i, sid in enumerate(street_ids):
        users.append({"username": f"street-{sid}".lower(), "name": f"街道干部{i + 1}", "role": "street_staff",
                      "street_ids": [sid]})
    for i, cid in enumerate(community_ids):
        users.append({"username": f"staff-{cid}".lower(), "name": f"社区干部{i + 1}", "role": "community_staff",
                      "community_ids": [cid]})
    if community_ids:
        users.append({"username": "mediator", "name": "调解员", "role": "mediator", "community_ids": [community_ids[0]]})
        users.append({"username": "leader", "name": "志愿队长", "role": "team_leader",
                      "community_ids": [community_ids[0]]})
    for i, gid in enumerate(grid_ids):
        users.append({"username": f"worker-{gid}".lower(), "name": f"网格员{i + 1}", "role": "grid_worker",
                      "grid_ids": [gid]})
    return users


def seed_demo_users(app, *, password: str, grid_ids: Sequence[str] = (), community_ids: Sequence[str] = (),
                    street_ids: Sequence[str] = (), users: Iterable[dict] | None = None) -> list[dict]:
    """Create (or bring up to date) demo users; idempotent.

    `users` is a list of {"username", "name", "role", "grid_ids"?, "community_ids"?, "street_ids"?, "password"?};
    without it, `demo_users(grid_ids=..., community_ids=..., street_ids=...)` is used. Every user gets `password`
    unless their entry carries its own. An existing user keeps their password and gets the role and
    scope given here. Returns [{"username", "name", "role", "grid_ids", "community_ids", "street_ids", "password"}].
    """
    cast = list(users) if users is not None else demo_users(grid_ids=grid_ids, community_ids=community_ids,
                                                            street_ids=street_ids)
    out = []
    with app.app_context():
        for entry in cast:
            username = entry["username"].strip().lower()
            own_password = entry.get("password") or password
            existing = User.objects(username=username).first()
            if existing:
                update_user(existing, by="seed", name=entry.get("name"), role=entry["role"],
                            grid_ids=entry.get("grid_ids", []), community_ids=entry.get("community_ids", []),
                            street_ids=entry.get("street_ids", []), active=True)
                user = existing
            else:
                user = create_user(username=username, password=own_password, role=entry["role"],
                                   name=entry.get("name") or username, grid_ids=entry.get("grid_ids", ()),
                                   community_ids=entry.get("community_ids", ()),
                                   street_ids=entry.get("street_ids", ()), by="seed")
            out.append({"username": user.username, "name": user.name, "role": user.role,
                        "grid_ids": list(user.grid_ids), "community_ids": list(user.community_ids),
                        "street_ids": list(user.street_ids),
                        "password": None if existing else own_password})
    return out


def main(argv=None) -> int:
    from gateway.app import create_app

    parser = argparse.ArgumentParser(prog="python -m gateway.seed")
    sub = parser.add_subparsers(dest="command", required=True)
    a = sub.add_parser("admin", help="create the first administrator")
    a.add_argument("--username", default="admin")
    a.add_argument("--name", default="管理员")
    d = sub.add_parser("demo", help="create demo users for the given grids, communities and streets")
    d.add_argument("--password", default=os.environ.get("GATEWAY_DEMO_PASSWORD"))
    d.add_argument("--grids", default="")
    d.add_argument("--communities", default="")
    d.add_argument("--streets", default="")
    args = parser.parse_args(argv)
    app = create_app()
    try:
        if args.command == "admin":
            password = os.environ.get("GATEWAY_ADMIN_PASSWORD") or getpass.getpass("Password for the administrator: ")
            user = ensure_admin(app, username=args.username, password=password, name=args.name)
            print(f"administrator: {user.username}")
        else:
            if not args.password:
                parser.error("give --password or GATEWAY_DEMO_PASSWORD")
            split = lambda s: [x for x in s.replace(" ", "").split(",") if x]  # noqa: E731
            for u in seed_demo_users(app, password=args.password, grid_ids=split(args.grids),
                                     community_ids=split(args.communities), street_ids=split(args.streets)):
                scope = u["grid_ids"] + u["community_ids"] + u["street_ids"]
                print(f"{u['username']:24} {u['role']:16} {','.join(scope)}")
    except UserInvalid as exc:
        print(f"refused: {exc}", file=sys.stderr)
        return 2
    return 0


if __name__ == "__main__":
    sys.exit(main())
