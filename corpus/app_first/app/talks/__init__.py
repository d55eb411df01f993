from app.talks import views  # noqa: F401  (registers the routes)
