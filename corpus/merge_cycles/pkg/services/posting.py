from pkg.forum.models import Post, Topic
from pkg.utils.helpers import slugify


def start_topic(session, author, title, body):
    topic = Topic(title=title, slug=slugify(title), author_id=author.id)
    session.add(topic)
    session.flush()
    post = Post(topic_id=topic.id, author_id=author.id, body=body)
    session.add(post)
    topic.touch()
    return topic
