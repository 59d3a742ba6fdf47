"""Issue 12 point 8: passwords belong to their users.

Seeded and admin-set passwords must be changed at first sign-in; users change their own (current, new
twice, strength rules, Chinese errors); an admin reset gives a one-time password, shown once.
"""
import re

import pytest

from gateway.models import AuditEntry, SessionRecord, User
from gateway.seed import seed_demo_users
from gateway.users import reset_password
from tests.support.stack import csrf_token, page_token, sign_in, stack

SEEDED = "demo-pass-1"
OWN = "Lantern-river-42"


@pytest.fixture(scope="module")
def s(mongo_url):
    with stack(mongo_url, PASSWORD_CHANGE_REQUIRED=True) as st:
        seed_demo_users(st.gateway_app, password=SEEDED, users=[
            {"username": "admin", "name": "管理员", "role": "admin"},
            {"username": "worker-g1", "name": "网格员1", "role": "grid_worker", "grid_ids": ["g1"]},
            {"username": "worker-g2", "name": "网格员2", "role": "grid_worker", "grid_ids": ["g2"]},
            {"username": "worker-g3", "name": "网格员3", "role": "grid_worker", "grid_ids": ["g3"]}])
        yield st


def change(client, current: str, new: str, repeat: str | None = None, next_path: str = ""):
    token = csrf_token(client.get("/password").get_data(as_text=True))
    return client.post("/password", data={"csrf_token": token, "current": current, "new": new,
                                          "repeat": new if repeat is None else repeat, "next": next_path})


def signed_in_with_own_password(s, username: str):
    client = s.gateway_app.test_client()
    assert sign_in(client, username, SEEDED).status_code == 303
    assert change(client, SEEDED, OWN).status_code == 303
    return client


def test_a_seeded_password_must_be_changed_before_anything_else(s):
    client = s.gateway_app.test_client()
    assert sign_in(client, "worker-g1", SEEDED).status_code == 303
    for path in ("/grids", "/grids/g1/today", "/admin/users", "/"):
        r = client.get(path)
        assert r.status_code == 302 and r.headers["Location"].startswith("/password"), (path, r.status_code)
    api = client.get("/api/me")
    assert api.status_code == 403 and api.json["error"] == "password_change_required"
    page = client.get("/password?next=/grids")
    assert page.status_code == 200 and "请先设置您自己的密码" in page.get_data(as_text=True)
    r = change(client, SEEDED, OWN, next_path="/grids")
    assert r.status_code == 303 and r.headers["Location"] == "/grids"
    assert "密码已修改" in client.get("/grids").get_data(as_text=True)
    assert not User.objects(username="worker-g1").first().must_change_password
    fresh = s.gateway_app.test_client()
    assert sign_in(fresh, "worker-g1", SEEDED).status_code == 401  # the seeded password is gone
    assert sign_in(fresh, "worker-g1", OWN).status_code == 303
    assert fresh.get("/grids").status_code == 200


@pytest.mark.parametrize("current,new,repeat,message", [
    ("not-my-password", OWN, OWN, "当前密码不正确"),
    (SEEDED, OWN, OWN + "x", "两次输入的新密码不一致"),
    (SEEDED, "short1", "short1", "至少 8 个字符"),
    (SEEDED, "12345678", "12345678", "太容易被猜到"),
    (SEEDED, "password", "password", "太容易被猜到"),
    (SEEDED, "abcdefghij", "abcdefghij", "至少混合两类"),
    (SEEDED, "worker-g2-2026", "worker-g2-2026", "不能包含用户名"),
    (SEEDED, SEEDED, SEEDED, "不能与当前密码相同"),
])
def test_weak_or_mistyped_new_passwords_are_refused_in_chinese(s, current, new, repeat, message):
    client = s.gateway_app.test_client()
    assert sign_in(client, "worker-g2", SEEDED).status_code == 303
    r = change(client, current, new, repeat)
    assert r.status_code == 422 and message in r.get_data(as_text=True), r.get_data(as_text=True)[-1500:]
    assert User.objects(username="worker-g2").first().must_change_password


def test_changing_ones_password_ends_ones_other_sessions(s):
    phone = s.gateway_app.test_client()
    desk = s.gateway_app.test_client()
    assert sign_in(phone, "worker-g3", SEEDED).status_code == 303
    assert sign_in(desk, "worker-g3", SEEDED).status_code == 303
    assert change(desk, SEEDED, OWN).status_code == 303
    assert desk.get("/grids").status_code == 200
    assert phone.get("/grids").status_code == 302  # the other session ended
    user = User.objects(username="worker-g3").first()
    assert SessionRecord.objects(user_id=str(user.pk)).count() == 1
    assert AuditEntry.objects(action="password.changed", user_id=str(user.pk)).count() == 1


def test_an_admin_reset_gives_a_one_time_password_shown_once(s):
    admin = signed_in_with_own_password(s, "admin")
    worker = User.objects(username="worker-g1").first()
    users_phone = s.gateway_app.test_client()
    assert sign_in(users_phone, "worker-g1", OWN).status_code == 303
    path = f"/admin/users/{worker.pk}"
    r = admin.post(f"{path}/password/reset", data={"csrf_token": page_token(admin, path)})
    html = r.get_data(as_text=True)
    assert r.status_code == 200 and r.headers["Cache-Control"] == "no-store"
    otp = re.search(r'<code class="otp">([a-z0-9-]+)</code>', html)[1]
    assert len(otp) == 14 and "只显示这一次" in html
    assert users_phone.get("/grids").status_code == 302  # the user's sessions ended
    assert otp not in admin.get(path).get_data(as_text=True)  # not shown again
    for doc in (*SessionRecord.objects, *AuditEntry.objects(user_id=str(worker.pk))):
        assert otp not in str(doc.to_mongo())  # and never stored
    assert admin.get(f"{path}/password/reset").status_code == 405
    fresh = s.gateway_app.test_client()
    assert sign_in(fresh, "worker-g1", OWN).status_code == 401
    assert sign_in(fresh, "worker-g1", otp).status_code == 303
    assert fresh.get("/grids").headers["Location"].startswith("/password")  # one-time: must change it now
    assert change(fresh, otp, "Second-lantern-43").status_code == 303


def test_an_admin_set_password_must_be_changed_too(s):
    admin = s.gateway_app.test_client()
    assert sign_in(admin, "admin", OWN).status_code == 303
    worker = User.objects(username="worker-g2").first()
    path = f"/admin/users/{worker.pk}"
    r = admin.post(path, data={"csrf_token": page_token(admin, path), "username": "worker-g2", "name": "网格员2",
                               "role": "grid_worker", "grid_ids": "g2", "community_ids": "", "active": "y",
                               "password": "Admin-chosen-7"})
    assert r.status_code == 303, r.get_data(as_text=True)[-800:]
    client = s.gateway_app.test_client()
    assert sign_in(client, "worker-g2", "Admin-chosen-7").status_code == 303
    assert client.get("/grids").headers["Location"].startswith("/password")


def test_the_reset_function_for_the_command_line(s):
    with s.gateway_app.app_context():
        otp = reset_password(username="worker-g3", by="cli")
    assert User.objects(username="worker-g3").first().must_change_password
    client = s.gateway_app.test_client()
    assert sign_in(client, "worker-g3", OWN).status_code == 401
    assert sign_in(client, "worker-g3", otp).status_code == 303
    assert client.get("/grids/g3/today").headers["Location"].startswith("/password")
