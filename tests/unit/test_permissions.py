"""Issue 14: one role -> permission table for every service and the gateway's pages."""
import ast
import pathlib

import pytest

from shared.identity import Principal
from shared.permissions import PERMISSIONS, PUBLIC_ROLE, ROLES, may

pytestmark = pytest.mark.unit
ROOT = pathlib.Path(__file__).resolve().parents[2]


def test_every_permission_names_only_known_roles():
    known = set(ROLES) | {PUBLIC_ROLE}
    assert PERMISSIONS and all(roles <= known for roles in PERMISSIONS.values())


def test_deny_by_default_for_unknown_roles_and_permissions():
    assert may("community_staff", "drills.manage")
    assert not may("grid_worker", "drills.manage")
    assert not may("intruder", "register.read")
    assert not may("admin", "no.such.permission")
    with pytest.raises(Exception, match="role mediator may not care.read"):
        Principal(user_id="m", role="mediator").require("care.read")


def _names_assigned(tree: ast.AST) -> set[str]:
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Assign, ast.AnnAssign)):
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            out |= {t.id for t in targets if isinstance(t, ast.Name)}
    return out


def test_no_service_or_gateway_module_keeps_its_own_role_table():
    """Before issue 14: volunteers ROLES_FOR, drills and mediation PERMISSIONS, gateway STAFF/MANAGERS tuples."""
    offenders = []
    for path in list((ROOT / "services").rglob("*.py")) + list((ROOT / "gateway").rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        own = _names_assigned(tree) & {"PERMISSIONS", "ROLES_FOR", "STAFF", "STAFF_ROLES", "MANAGERS", "HANDLERS_ROLES",
                                       "REGISTERS", "COMMUNITY_ROLES"}
        offenders += [f"{path.relative_to(ROOT)}: {name}" for name in sorted(own)]
    assert offenders == []
