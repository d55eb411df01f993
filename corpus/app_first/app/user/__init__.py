from app.user import views  # noqa: F401  (registers the routes)
