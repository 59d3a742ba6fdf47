"""Password hashing with argon2id (argon2-cffi's vetted defaults), and what makes a new password too weak."""
import secrets

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
_DUMMY = _hasher.hash("not-a-real-password-only-for-equal-timing")
MIN_LENGTH = 8
# The passwords tried first by anyone guessing (lists of leaked passwords, Chinese and international),
# compared without case and with separators removed.
COMMON = frozenset("""
password password1 password123 passw0rd 12345678 123456789 1234567890 11111111 00000000 88888888 66666666
12341234 11223344 12121212 123123123 147258369 987654321 a1234567 a12345678 aa123456 abc12345 abcd1234
qwerty123 qwertyui qwer1234 1qaz2wsx 1q2w3e4r zxcvbnm123 asdf1234 iloveyou woaini1314 woaini520 5201314520
qq123456 admin123 admin1234 administrator letmein1 welcome1 changeme huawei123 baidu123 wangyiqing
""".split())
_OTP_ALPHABET = "abcdefghjkmnpqrstuvwxyz23456789"  # no 0/o, 1/l/i: read aloud or copied by hand


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(stored: str | None, password: str) -> bool:
    """True when `password` matches; takes as long for an unknown user (stored=None)."""
    try:
        return _hasher.verify(stored or _DUMMY, password) and stored is not None
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored: str) -> bool:
    return _hasher.check_needs_rehash(stored)


def weak_reason(password: str, username: str = "") -> str | None:
    """Why a new password is refused (too_short, same_as_username, contains_username, common, one_kind), or None."""
    if len(password) < MIN_LENGTH:
        return "too_short"
    lowered, name = password.lower(), (username or "").lower()
    if name and lowered == name:
        return "same_as_username"
    if len(name) >= 3 and name in lowered:
        return "contains_username"
    if "".join(c for c in lowered if c.isalnum()) in COMMON or len(set(lowered)) <= 2:
        return "common"
    kinds = {"letter" if c.isalpha() else "digit" if c.isdigit() else "other" for c in password}
    if len(kinds) < 2:
        return "one_kind"
    return None


def one_time_password() -> str:
    """A random password for an admin reset, e.g. 'k7dm-4qxe-9tpa' (about 59 bits)."""
    return "-".join("".join(secrets.choice(_OTP_ALPHABET) for _ in range(4)) for _ in range(3))
