from app import make_shell_context
from app.user.models import User


def test_shell_context_has_the_models(app):
    context = make_shell_context()
    assert context["User"] is User
