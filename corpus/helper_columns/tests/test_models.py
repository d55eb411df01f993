from app.blog.models import Comment, Post, Profile
from app.user.models import Role, User


def make_user(name="ann"):
    return User.create(username=name, email=f"{name}@example.com")


def test_profile_belongs_to_its_user(db):
    user = make_user()
    profile = Profile.create(user=user, bio="hello")
    assert user.profile is profile
    assert profile.user_id == user.id


def test_posts_and_comments_both_ways(db):
    ann, bob = make_user("ann"), make_user("bob")
    post = Post.create(author=ann, title="First")
    Comment.create(post=post, author=bob, text="nice")
    Comment.create(post=post, author=ann, text="thanks")
    assert [c.author.username for c in post.comments] == ["bob", "ann"]
    assert ann.posts.count() == 1
    assert post.author_id == ann.id


def test_role_backref(db):
    user = make_user()
    Role.create(name="admin", user=user)
    assert [r.name for r in user.roles] == ["admin"]
