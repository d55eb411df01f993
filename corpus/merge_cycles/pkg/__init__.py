"""Community site: users, a forum, a blog and a small shop."""
