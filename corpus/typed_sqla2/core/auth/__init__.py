"""Legacy OAuth 2.1 / station auth stack (being replaced by db.models.identity)."""
