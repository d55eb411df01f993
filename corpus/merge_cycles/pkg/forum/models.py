from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from pkg.db import Base
from pkg.utils.helpers import slugify, utcnow


class Topic(Base):
    __tablename__ = "forum_topics"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    title: Mapped[str] = mapped_column(String(200))
    slug: Mapped[str] = mapped_column(String(220), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    last_post_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    posts = relationship("Post", back_populates="topic", order_by="Post.id")

    def rename(self, title):
        self.title = title
        self.slug = slugify(title)

    def touch(self):
        self.last_post_at = utcnow()


class Post(Base):
    __tablename__ = "forum_posts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    topic_id: Mapped[int] = mapped_column(ForeignKey("forum_topics.id"))
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    body: Mapped[str] = mapped_column(Text)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime, nullable=True)

    topic = relationship("Topic", back_populates="posts")

    def edit(self, body):
        self.body = body
        self.edited_at = utcnow()
        self.topic.touch()
