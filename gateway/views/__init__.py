"""The gateway's blueprints: sign-in, phone pages, community pages, admin, and the JSON pass-through."""
