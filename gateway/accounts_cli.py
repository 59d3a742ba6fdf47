"""Accounts from the command line: a forgotten password, and the demo accounts of `make run`.

    python -m gateway.accounts_cli reset USERNAME   prints a new one-time password (changed at the next sign-in);
                                                    the user's sessions end
    python -m gateway.accounts_cli demo --grids G1,G2 --communities C1
                                                    creates the demo accounts for those grids and communities,
                                                    only while the gateway has no user at all; prints them with
                                                    their one-time passwords as JSON ([] when it had users)

Both read the gateway's settings from the environment; under `make run`, use
`python -m localrun reset-password USERNAME`, which supplies them. Only the gateway's database is
connected (not the whole app, whose rate-limit storage would open a client at exit).
"""
import argparse
import json
import sys

from flask import Flask

from gateway import db, passwords
from gateway.config import GatewayConfig
from gateway.models import User
from gateway.seed import demo_users, seed_demo_users
from gateway.users import UserInvalid, reset_password


def _app() -> Flask:
    config = GatewayConfig()
    db.connect(config)
    app = Flask("gateway.accounts_cli")
    app.config.from_object(config)
    return app


def demo_accounts(app: Flask, *, grid_ids: list[str], community_ids: list[str],
                  street_ids: list[str] = ()) -> list[dict]:
    """The demo cast, each with their own one-time password, created only into an empty user store."""
    with app.app_context():
        if User.objects.only("id").first() is not None:
            return []
    cast = demo_users(grid_ids=grid_ids, community_ids=community_ids, street_ids=street_ids)
    return seed_demo_users(app, password="", users=[{**u, "password": passwords.one_time_password()} for u in cast])


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(prog="python -m gateway.accounts_cli")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("reset", help="a new one-time password for a user").add_argument("username")
    demo = sub.add_parser("demo", help="the demo accounts, into an empty user store only")
    demo.add_argument("--grids", type=_ids, default=[], help="comma-separated grid ids: a grid worker for each")
    demo.add_argument("--communities", type=_ids, default=[], help="comma-separated community ids: staff for each")
    demo.add_argument("--streets", type=_ids, default=[], help="comma-separated street ids: street staff for each")
    args = parser.parse_args(argv)
    app = _app()
    if args.command == "demo":
        accounts = demo_accounts(app, grid_ids=args.grids, community_ids=args.communities, street_ids=args.streets)
        print(json.dumps([{k: a[k] for k in ("role", "username", "password")} for a in accounts], ensure_ascii=False))
        return 0
    try:
        with app.app_context():
            password = reset_password(username=args.username, by="cli")
    except UserInvalid as exc:
        print(f"no password reset: {exc.field} {exc.code}", file=sys.stderr)
        return 2
    print(f"new one-time password for {args.username.strip().lower()}: {password}\n"
          "(to be changed at the next sign-in; the user's sessions have ended)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
