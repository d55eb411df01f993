"""BreakImportCyclesCommand: imports moved into functions / under TYPE_CHECKING, no-ops."""

from __future__ import annotations

import libcst as cst
from libcst.codemod import CodemodContext, CodemodTest

from codemods.break_import_cycles import BreakImportCyclesCommand

HELPERS = {"pkg.utils.helpers": ["slugify", "utcnow"]}


class TestIntoFunctions(CodemodTest):
    TRANSFORM = BreakImportCyclesCommand

    def test_each_method_gets_the_names_it_uses(self) -> None:
        before = """
            from pkg.db import Base
            from pkg.utils.helpers import slugify, utcnow


            class Topic(Base):
                def rename(self, title):
                    \"\"\"New title, new slug.\"\"\"
                    self.slug = slugify(title)

                def touch(self):
                    def later():
                        return utcnow()
                    self.at = later()

                def other(self):
                    return self.utcnow
        """
        after = """
            from pkg.db import Base


            class Topic(Base):
                def rename(self, title):
                    \"\"\"New title, new slug.\"\"\"
                    from pkg.utils.helpers import slugify
                    self.slug = slugify(title)

                def touch(self):
                    from pkg.utils.helpers import utcnow
                    def later():
                        return utcnow()
                    self.at = later()

                def other(self):
                    return self.utcnow
        """
        self.assertCodemod(before, after, moves=HELPERS)

    def test_other_names_of_the_statement_stay(self) -> None:
        before = """
            from pkg.utils.helpers import chunked, slugify

            SIZE = chunked([1, 2], 1)


            def slug(text):
                return slugify(text)
        """
        after = """
            from pkg.utils.helpers import chunked

            SIZE = chunked([1, 2], 1)


            def slug(text):
                from pkg.utils.helpers import slugify
                return slugify(text)
        """
        self.assertCodemod(before, after, moves=HELPERS)


class TestTypeChecking(CodemodTest):
    TRANSFORM = BreakImportCyclesCommand

    def test_annotation_only_goes_under_type_checking(self) -> None:
        before = """
            from __future__ import annotations

            from pkg.db import Base
            from pkg.utils.settings import SettingsCache


            class Article(Base):
                def teaser(self, cache: SettingsCache) -> str:
                    return cache.get("x")
        """
        after = """
            from __future__ import annotations

            from pkg.db import Base
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from pkg.utils.settings import SettingsCache


            class Article(Base):
                def teaser(self, cache: SettingsCache) -> str:
                    return cache.get("x")
        """
        self.assertCodemod(before, after, moves={"pkg.utils.settings": ["SettingsCache"]})

    def test_existing_type_checking_import_is_reused(self) -> None:
        before = """
            from __future__ import annotations
            from typing import TYPE_CHECKING
            from pkg.utils.settings import SettingsCache

            def teaser(cache: SettingsCache):
                pass
        """
        after = """
            from __future__ import annotations
            from typing import TYPE_CHECKING

            if TYPE_CHECKING:
                from pkg.utils.settings import SettingsCache

            def teaser(cache: SettingsCache):
                pass
        """
        self.assertCodemod(before, after, moves={"pkg.utils.settings": ["SettingsCache"]})


class TestNoOps(CodemodTest):
    TRANSFORM = BreakImportCyclesCommand

    def test_nothing_to_move_is_byte_identical(self) -> None:
        source = "from pkg.utils.other import slugify\n\n\ndef f():\n    return slugify('a')\n"
        module = cst.parse_module(source)
        out = BreakImportCyclesCommand(CodemodContext(), moves=HELPERS).transform_module(module)
        assert out.code == source

    def test_a_name_used_at_import_time_stays_with_a_warning(self) -> None:
        source = (
            "from pkg.utils.helpers import utcnow\n\n\n"
            "class Post(Base):\n    created = Column(DateTime, default=utcnow())\n"
        )
        context = CodemodContext()
        out = BreakImportCyclesCommand(context, moves=HELPERS).transform_module(
            cst.parse_module(source))
        assert out.code == source
        assert context.warnings == ["import cycle through pkg.utils.helpers left in place: "
                                    "`utcnow` is used while the module is imported"]

    def test_class_level_annotation_is_an_import_time_use(self) -> None:
        source = ("from __future__ import annotations\nfrom pkg.utils.settings import Cache\n\n"
                  "class A(Base):\n    cache: Mapped[Cache]\n")
        context = CodemodContext()
        out = BreakImportCyclesCommand(context, moves={"pkg.utils.settings": ["Cache"]}
                                       ).transform_module(cst.parse_module(source))
        assert out.code == source and context.warnings
