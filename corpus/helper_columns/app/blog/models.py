"""Blog models: profiles, posts, comments."""
from app.database import (
    AuthoredMixin,
    Column,
    PkModel,
    TimestampMixin,
    reference_col,
    relationship,
    search_column,
)
from app.extensions import db


class Profile(PkModel):
    __tablename__ = "profiles"
    user_id = reference_col("users")
    bio = Column(db.Text)
    user = relationship("User", back_populates="profile")


class Post(AuthoredMixin, TimestampMixin, PkModel):
    __tablename__ = "posts"
    title = Column(db.String(200), nullable=False)
    body = Column(db.Text, nullable=False, default="")
    # editors were UUID strings in the old user service; the column was never migrated
    editor_id = Column(db.String(36), db.ForeignKey("users.id"), nullable=True)
    search = search_column("title", "body")

    author = relationship("User", back_populates="posts", foreign_keys="Post.author_id")
    comments = relationship("Comment", back_populates="post", order_by="Comment.id")


class Comment(TimestampMixin, PkModel):
    __tablename__ = "comments"
    post_id = reference_col("posts")
    author_id = reference_col("users")
    text = Column(db.Text, nullable=False)

    post = relationship("Post", back_populates="comments")
    author = relationship("User")
