"""The phone-facing web app and API gateway: sign-in, sessions, roles, pages and the JSON pass-through."""
