"""The gateway's forms (Flask-WTF: every form carries a CSRF token), one module per area: accounts, register,
volunteers, drills, mediation, and what they share (common). Labels are translated lazily."""
