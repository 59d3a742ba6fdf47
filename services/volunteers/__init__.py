"""The volunteers service: sign-up links, teams, needs, the hours ledger and certificates (志愿服务)."""
