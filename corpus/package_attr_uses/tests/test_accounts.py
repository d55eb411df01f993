from app.extensions import db
from app.modules import accounts


def test_token_through_the_package(app):
    user = app.extensions  # the app is configured; accounts.models was imported by init_app
    token = accounts.models.Token(user=make_user())
    db.session.add(token)
    db.session.commit()
    assert len(token.value) == 32
    assert user is not None


def make_user():
    from app import user

    return user.models.User(username="ann")


def test_view(app):
    token = accounts.models.Token(user=make_user())
    db.session.add(token)
    db.session.commit()
    response = app.test_client().get(f"/tokens/{token.id}")
    assert response.get_json() == {"user": "ann"}
