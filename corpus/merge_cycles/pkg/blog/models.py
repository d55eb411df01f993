"""Blog articles. Articles read their page size from the site settings."""
from __future__ import annotations

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from pkg.db import Base
from pkg.utils.settings import SettingsCache


class Article(Base):
    __tablename__ = "blog_articles"

    id: Mapped[int] = mapped_column(Integer, primary_key=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id"))
    title: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    published: Mapped[bool] = mapped_column(Boolean, default=False)

    def teaser(self, cache: SettingsCache) -> str:
        size = int(cache.get("blog.teaser_length", "120"))
        return self.body[:size]
