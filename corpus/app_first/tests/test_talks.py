from app.extensions import db
from app.talks.models import Review, Talk
from app.user.models import Role, User


def add_talk():
    speaker = User(email="sam@example.com", name="Sam", roles=[Role(name="speaker")])
    talk = Talk(title="Models in one place", speaker=speaker)
    db.session.add_all([talk, Review(talk=talk, reviewer_id=1, score=4)])
    db.session.commit()
    return talk


def test_talk_list_names_the_speaker(client):
    add_talk()
    assert client.get("/talks/").get_json() == [
        {"id": 1, "title": "Models in one place", "speaker": "Sam"}]


def test_user_page_lists_their_talks(client):
    talk = add_talk()
    body = client.get(f"/users/{talk.speaker_id}").get_json()
    assert body["talks"] == ["Models in one place"]


def test_score_is_the_mean_of_the_reviews(client):
    talk = add_talk()
    assert client.get(f"/talks/{talk.id}/score").get_json()["score"] == 4
