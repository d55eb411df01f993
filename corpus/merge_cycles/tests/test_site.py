from pkg.app import make_session
from pkg.forum.models import Topic
from pkg.services.posting import start_topic
from pkg.user.models import Setting, User
from pkg.utils import settings


def test_start_topic_slugs_the_title():
    session = make_session()
    user = User(username="ann", email="ann@example.com")
    session.add(user)
    session.flush()
    topic = start_topic(session, user, "Hello, World!", "first")
    assert topic.slug == "hello-world"
    assert topic.last_post_at is not None
    assert session.query(Topic).count() == 1


def test_user_preference_reads_the_settings_table():
    session = make_session()
    user = User(username="bo", email="bo@example.com")
    session.add(user)
    session.flush()
    session.add(Setting(user_id=user.id, name="theme", value="dark"))
    session.flush()
    settings.use_session(session)
    try:
        assert user.preference("theme") == "dark"
        assert user.preference("missing", "x") == "x"
    finally:
        settings.use_session(None)
