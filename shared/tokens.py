"""Secret tokens that live only in links (personal pages, satisfaction surveys): the database keeps their hash."""
import hashlib
import secrets


def new_token() -> str:
    """A fresh high-entropy token for a link (256 bits, URL-safe)."""
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    """The sha256 of a token, as stored; a high-entropy token needs no salt or slow hash."""
    return hashlib.sha256(token.encode()).hexdigest()
