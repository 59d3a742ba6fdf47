"""Signed identities for calling services as a given user."""
from shared.identity import HEADER, Principal, sign


def headers_for(app, *, role="grid_worker", user_id="u-test", grids=(), communities=(), name="测试员") -> dict:
    principal = Principal(user_id=user_id, role=role, name=name, grid_ids=tuple(grids),
                          community_ids=tuple(communities))
    return {HEADER: sign(principal, secret=app.config["SECRET_KEY"])}
