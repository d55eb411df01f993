"""RewriteImportsCommand: one before/after pair and one no-op per import form,
bad arguments, line endings, and the ``python -m libcst.tool codemod`` CLI."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from libcst.codemod import CodemodContext, CodemodTest

from codemods.rewrite_imports import RewriteImportsCommand, _parse_renames
from codemods.rewrite_imports_fast import rewrite_fast

ROOT = Path(__file__).resolve().parents[2]
DATA = Path(__file__).resolve().parent / "data" / "rewrite_imports"

OLD = ["models", "unified_models", "mvp_models"]
NEW = "app.db_models"
RENAMES = ["MVPUser=User"]


def in_module(name: str, package: str | None = None) -> CodemodContext:
    """The context of a file whose dotted module name is known."""
    if package is None:
        package = name.rpartition(".")[0]
    return CodemodContext(full_module_name=name, full_package_name=package)


class _RewriteCase(CodemodTest):
    """``rewrite`` and ``unchanged`` fill in the common arguments and pin the warnings."""

    TRANSFORM = RewriteImportsCommand

    def rewrite(
        self,
        before: str,
        after: str,
        *,
        context: CodemodContext | None = None,
        warnings: list[str] | None = None,
        **kwargs: object,
    ) -> None:
        kwargs = {"old_modules": OLD, "new_module": NEW, "renames": RENAMES, **kwargs}
        context = context or in_module("app.views")
        self.assertCodemod(
            before,
            after,
            context_override=context,
            expected_warnings=warnings or [],
            **kwargs,
        )
        self.same_without_libcst(before, after, context, warnings, kwargs)

    def unchanged(
        self,
        source: str,
        *,
        context: CodemodContext | None = None,
        warnings: list[str] | None = None,
        **kwargs: object,
    ) -> None:
        """The file is skipped (SkipFile) and left byte for byte as it was."""
        kwargs = {"old_modules": OLD, "new_module": NEW, "renames": RENAMES, **kwargs}
        context = context or in_module("app.views")
        self.assertCodemod(
            source,
            source,
            context_override=context,
            expected_warnings=warnings or [],
            expected_skip=True,
            **kwargs,
        )
        self.same_without_libcst(source, source, context, warnings, kwargs)

    def same_without_libcst(
        self,
        before: str,
        after: str,
        context: CodemodContext,
        warnings: list[str] | None,
        kwargs: dict[str, object],
    ) -> None:
        """``rewrite_fast`` either declines (None) or gives the codemod's bytes, silently."""
        package = context.full_package_name
        if package is None and context.full_module_name is not None:
            package = context.full_module_name.rpartition(".")[0]
        renames = kwargs["renames"]
        fast = rewrite_fast(
            self.make_fixture_data(before).encode(),
            old_modules=kwargs["old_modules"],  # type: ignore[arg-type]
            new_module=kwargs["new_module"],  # type: ignore[arg-type]
            renames=_parse_renames(renames),  # type: ignore[arg-type]
            module_name=context.full_module_name,
            package=package,
        )
        if fast is not None:
            assert fast.decode() == self.make_fixture_data(after)
            assert not warnings, "rewrite_fast handled a file the codemod warns about"


class TestFromImport(_RewriteCase):
    """Forms 1-3: ``from m import A, B``, parenthesised, ``as``."""

    def test_names(self) -> None:
        self.rewrite(
            """
            from models import Organization, Role
            x = Organization(role=Role.ADMIN)
            """,
            """
            from app.db_models import Organization, Role
            x = Organization(role=Role.ADMIN)
            """,
        )

    def test_names_noop(self) -> None:
        self.unchanged("from models_extra import Organization, Role\n")

    def test_parenthesised_keeps_comments_and_layout(self) -> None:
        self.rewrite(
            """
            # models the views need
            from models import (  # one per line
                Organization,  # the tenant
                # roles come next
                Role,
            )
            """,
            """
            # models the views need
            from app.db_models import (  # one per line
                Organization,  # the tenant
                # roles come next
                Role,
            )
            """,
        )

    def test_parenthesised_noop(self) -> None:
        self.unchanged("""
            from sqlalchemy import (
                Column,  # models use it
                Integer,
            )
            """)

    def test_alias(self) -> None:
        self.rewrite(
            """
            from models import Organization as Org, Role
            Org()
            """,
            """
            from app.db_models import Organization as Org, Role
            Org()
            """,
        )

    def test_reexport_idiom_kept(self) -> None:
        self.rewrite(
            "from models import Organization as Organization\n",
            "from app.db_models import Organization as Organization\n",
        )

    def test_alias_noop(self) -> None:
        self.unchanged("from app.models_v2 import Organization as Org\n")


class TestImportModule(_RewriteCase):
    """Form 4: ``import m`` / ``import m as mm`` and their ``m.A`` uses."""

    def test_import_uses_follow(self) -> None:
        self.rewrite(
            """
            import models

            def load():
                return models.Organization, models.MVPUser
            """,
            """
            import app.db_models

            def load():
                return app.db_models.Organization, app.db_models.User
            """,
        )

    def test_import_keeps_name_when_top_name_is_taken(self) -> None:
        self.rewrite(
            """
            import models
            app = create_app()
            app.register(models.Organization, models.MVPUser)
            """,
            """
            import app.db_models as models
            app = create_app()
            app.register(models.Organization, models.User)
            """,
        )

    def test_import_as(self) -> None:
        self.rewrite(
            """
            import models as mm, os
            mm.Organization, mm.MVPUser, os.sep
            """,
            """
            import app.db_models as mm, os
            mm.Organization, mm.User, os.sep
            """,
        )

    def test_string_annotation_through_the_module(self) -> None:
        self.rewrite(
            """
            import models as mm
            def owner() -> "mm.MVPUser": ...
            """,
            """
            import app.db_models as mm
            def owner() -> "mm.User": ...
            """,
        )

    def test_import_noop(self) -> None:
        self.unchanged("""
            import models_extra as mm
            mm.MVPUser
            """)


class TestStarImport(_RewriteCase):
    """Form 5: ``from m import *``."""

    def test_star(self) -> None:
        self.rewrite(
            "from models import *\n",
            "from app.db_models import *\n",
        )

    def test_two_stars_become_one(self) -> None:
        self.rewrite(
            """
            from models import *
            from unified_models import *  # older names
            x = 1
            """,
            """
            from app.db_models import *
            # older names
            x = 1
            """,
        )

    def test_star_and_a_renamed_name_warns(self) -> None:
        self.rewrite(
            """
            from mvp_models import *
            MVPUser()
            """,
            """
            from app.db_models import *
            MVPUser()
            """,
            warnings=[
                "1: 'MVPUser' may come from a star import of an old module;"
                " it is 'User' in 'app.db_models'"
            ],
        )

    def test_star_noop(self) -> None:
        self.unchanged("from sqlalchemy.orm import *\n")


class TestRelativeImport(_RewriteCase):
    """Form 6: ``from .m import A``, ``from . import m``, ``from .. import m``."""

    OLD = ["app.models", "app.unified_models"]

    def test_from_dot_module(self) -> None:
        self.rewrite(
            "from .models import Organization\n",
            "from .db_models import Organization\n",
            context=in_module("app.views"),
            old_modules=self.OLD,
        )

    def test_from_dot_import_module_uses_follow(self) -> None:
        self.rewrite(
            """
            from . import models, forms
            models.Organization(forms.data)
            """,
            """
            from . import forms
            from . import db_models
            db_models.Organization(forms.data)
            """,
            context=in_module("app.views"),
            old_modules=self.OLD,
        )

    def test_from_dot_dot_import_module(self) -> None:
        self.rewrite(
            """
            from .. import models
            models.MVPUser
            """,
            """
            from .. import db_models
            db_models.User
            """,
            context=in_module("app.views.users"),
            old_modules=self.OLD,
        )

    def test_from_dot_import_module_keeps_name_when_taken(self) -> None:
        self.rewrite(
            """
            from . import unified_models as models
            db_models = None
            models.Organization
            """,
            """
            from . import db_models as models
            db_models = None
            models.Organization
            """,
            context=in_module("app.views"),
            old_modules=self.OLD,
        )

    def test_package_init_resolves_against_itself(self) -> None:
        self.rewrite(
            "from .models import Organization\n",
            "from .db_models import Organization\n",
            context=in_module("app", package="app"),
            old_modules=self.OLD,
        )

    def test_other_package_becomes_absolute(self) -> None:
        self.rewrite(
            "from .models import Organization\n",
            "from db.unified import Organization\n",
            context=in_module("app.views"),
            old_modules=self.OLD,
            new_module="db.unified",
        )

    def test_unknown_module_name_warns(self) -> None:
        self.unchanged(
            "from .models import Organization\n",
            context=CodemodContext(),
            old_modules=self.OLD,
            warnings=[
                "1: relative import 'from .models import Organization' left"
                " unchanged: the file's module name is unknown"
            ],
        )

    def test_above_top_level_warns(self) -> None:
        self.unchanged(
            "from ... import models\n",
            context=in_module("app.views"),
            old_modules=self.OLD,
            warnings=[
                "1: relative import 'from ... import models' left unchanged:"
                " it goes above the top-level package"
            ],
        )

    def test_relative_noop(self) -> None:
        self.unchanged(
            """
            from . import forms
            from .models_extra import Helper
            """,
            context=in_module("app.views"),
            old_modules=self.OLD,
        )


class TestPackagePaths(_RewriteCase):
    """Form 7: ``from app.models import user`` when ``app.models.user`` is old."""

    OLD = ["app.models.user", "app.models.org"]

    def test_from_package_import_module(self) -> None:
        self.rewrite(
            """
            from app.models import user, helpers
            user.MVPUser(helpers.now())
            """,
            """
            from app.models import helpers
            from app import db_models
            db_models.User(helpers.now())
            """,
            old_modules=self.OLD,
        )

    def test_import_dotted_as(self) -> None:
        self.rewrite(
            """
            import app.models.user as u
            u.MVPUser
            """,
            """
            import app.db_models as u
            u.User
            """,
            old_modules=self.OLD,
        )

    def test_import_dotted(self) -> None:
        self.rewrite(
            """
            import app.models.user
            import app.models.org
            app.models.user.MVPUser(org=app.models.org.Organization())
            """,
            """
            import app.db_models
            app.db_models.User(org=app.db_models.Organization())
            """,
            old_modules=self.OLD,
        )

    def test_objects_of_a_dotted_module(self) -> None:
        self.rewrite(
            "from app.models.user import MVPUser, Profile\n",
            "from app.db_models import User, Profile\n",
            old_modules=self.OLD,
        )

    def test_import_dotted_whose_package_is_used_warns(self) -> None:
        self.unchanged(
            """
            import app.models.user, os
            app.models.helpers.now()
            """,
            old_modules=["app.models.user"],
            new_module="db.models",
            warnings=[
                "1: 'import app.models.user' left unchanged: its uses cannot follow"
                " 'db.models' safely"
            ],
        )

    def test_package_paths_noop(self) -> None:
        self.unchanged(
            """
            from app.models import helpers
            import app.models.audit
            """,
            old_modules=self.OLD,
        )


class TestLazyImport(_RewriteCase):
    """Form 8: imports inside functions stay inside them."""

    def test_import_in_function(self) -> None:
        self.rewrite(
            """
            def load(org_id):
                # imported here to dodge a circular import
                from models import Organization
                return Organization.get(org_id)
            """,
            """
            def load(org_id):
                # imported here to dodge a circular import
                from app.db_models import Organization
                return Organization.get(org_id)
            """,
        )

    def test_import_module_in_method(self) -> None:
        self.rewrite(
            """
            class View:
                def get(self):
                    import models
                    return models.Organization
            """,
            """
            class View:
                def get(self):
                    import app.db_models
                    return app.db_models.Organization
            """,
        )

    def test_lazy_noop(self) -> None:
        self.unchanged("""
            def load():
                from models_extra import Organization
                return Organization
            """)


class TestTryExcept(_RewriteCase):
    """Form 9: ``try`` / ``except ImportError`` fallbacks."""

    def test_try_body_rewritten(self) -> None:
        self.rewrite(
            """
            try:
                from models import Organization
            except ImportError:
                Organization = None
            """,
            """
            try:
                from app.db_models import Organization
            except ImportError:
                Organization = None
            """,
        )

    def test_identical_branches_collapse(self) -> None:
        self.rewrite(
            """
            import os

            # the models moved once already
            try:
                from models import Organization
            except ImportError:
                from unified_models import Organization
            print(Organization)
            """,
            """
            import os

            # the models moved once already
            from app.db_models import Organization
            print(Organization)
            """,
        )

    def test_collapse_keeps_the_comments_of_the_fallback(self) -> None:
        self.rewrite(
            """
            try:  # new layout first
                from models import Organization
            except ImportError:  # the worker image ships the flat tree
                # same class, older file
                from unified_models import Organization
            """,
            """
            # new layout first
            # the worker image ships the flat tree
            # same class, older file
            from app.db_models import Organization
            """,
        )

    def test_one_line_branches_collapse(self) -> None:
        self.rewrite(
            """
            try: import models
            except (ImportError, ModuleNotFoundError): import unified_models as models
            models.Organization
            """,
            """
            import app.db_models as models
            models.Organization
            """,
        )

    def test_different_branches_stay(self) -> None:
        self.rewrite(
            """
            try:
                from models import Organization
            except ImportError:
                from legacy.models import Organization
            """,
            """
            try:
                from app.db_models import Organization
            except ImportError:
                from legacy.models import Organization
            """,
        )

    def test_try_noop(self) -> None:
        self.unchanged("""
            try:
                import simplejson as json
            except ImportError:
                import json
            """)


class TestTypeChecking(_RewriteCase):
    """Form 10: imports under ``if TYPE_CHECKING:`` stay guarded."""

    def test_guarded_import_and_string_annotations(self) -> None:
        self.rewrite(
            """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from mvp_models import MVPUser
                from models import Organization

            def owner(org: "Organization") -> "list[MVPUser]":
                ...
            """,
            """
            from typing import TYPE_CHECKING
            if TYPE_CHECKING:
                from app.db_models import User
                from app.db_models import Organization

            def owner(org: "Organization") -> "list[User]":
                ...
            """,
        )

    def test_one_line_guard(self) -> None:
        self.rewrite(
            "if TYPE_CHECKING: from models import Organization\n",
            "if TYPE_CHECKING: from app.db_models import Organization\n",
        )

    def test_type_checking_noop(self) -> None:
        self.unchanged("""
            if TYPE_CHECKING:
                from app.forms import UserForm
            """)


class TestDunderAll(_RewriteCase):
    """Form 11: a renamed name listed in ``__all__`` keeps its old binding."""

    def test_exported_name_keeps_old_binding(self) -> None:
        self.rewrite(
            """
            from mvp_models import MVPUser, Profile
            __all__ = ["MVPUser", "Profile"]
            """,
            """
            from app.db_models import User as MVPUser, Profile
            __all__ = ["MVPUser", "Profile"]
            """,
        )

    def test_exported_name_not_renamed_is_plain(self) -> None:
        self.rewrite(
            """
            from models import Organization
            __all__ = ("Organization",)
            """,
            """
            from app.db_models import Organization
            __all__ = ("Organization",)
            """,
        )

    def test_dunder_all_noop(self) -> None:
        self.unchanged("""
            from app.auth import MVPUser
            __all__ = ["MVPUser"]
            """)


class TestRenames(_RewriteCase):
    """Form 12: ``MVPUser=User`` renames the import and, when safe, its uses."""

    def test_uses_follow(self) -> None:
        self.rewrite(
            """
            from mvp_models import MVPUser

            def create(name: str) -> MVPUser:
                user = MVPUser(name=name)
                return MVPUser.query.get(user.id)
            """,
            """
            from app.db_models import User

            def create(name: str) -> User:
                user = User(name=name)
                return User.query.get(user.id)
            """,
        )

    def test_new_name_taken_keeps_old_binding(self) -> None:
        self.rewrite(
            """
            from mvp_models import MVPUser
            from flask_login import current_user as User
            MVPUser(User)
            """,
            """
            from app.db_models import User as MVPUser
            from flask_login import current_user as User
            MVPUser(User)
            """,
        )

    def test_new_name_used_in_a_function_keeps_old_binding(self) -> None:
        self.rewrite(
            """
            from mvp_models import MVPUser
            def f(User):
                return MVPUser(User)
            """,
            """
            from app.db_models import User as MVPUser
            def f(User):
                return MVPUser(User)
            """,
        )

    def test_old_name_rebound_keeps_old_binding(self) -> None:
        self.rewrite(
            """
            try:
                from mvp_models import MVPUser
            except ImportError:
                MVPUser = None
            print(MVPUser)
            """,
            """
            try:
                from app.db_models import User as MVPUser
            except ImportError:
                MVPUser = None
            print(MVPUser)
            """,
        )

    def test_alias_keeps_its_name(self) -> None:
        self.rewrite(
            """
            from mvp_models import MVPUser as U
            U()
            """,
            """
            from app.db_models import User as U
            U()
            """,
        )

    def test_alias_to_the_new_name_drops_as(self) -> None:
        self.rewrite(
            "from mvp_models import MVPUser as User\n",
            "from app.db_models import User\n",
        )

    def test_same_class_from_two_modules(self) -> None:
        self.rewrite(
            """
            from models import User
            from mvp_models import MVPUser
            User, MVPUser
            """,
            """
            from app.db_models import User
            User, User
            """,
        )

    def test_chained_renames(self) -> None:
        self.rewrite(
            "from mvp_models import MVPUser\nMVPUser\n",
            "from app.db_models import Account\nAccount\n",
            renames={"MVPUser": "User", "User": "Account"},
        )

    def test_renames_noop(self) -> None:
        self.unchanged("""
            from app.auth import MVPUser
            MVPUser()
            """)


class TestDuplicates(_RewriteCase):
    """Form 13: imports that became identical end de-duplicated."""

    def test_same_name_from_two_old_modules(self) -> None:
        self.rewrite(
            """
            from models import Organization, Role
            from unified_models import Organization  # legacy copy
            x = 1
            """,
            """
            from app.db_models import Organization, Role
            # legacy copy
            x = 1
            """,
        )

    def test_name_already_imported_from_new_module(self) -> None:
        self.rewrite(
            """
            from app.db_models import Role
            from models import Organization, Role
            """,
            """
            from app.db_models import Role
            from app.db_models import Organization
            """,
        )

    def test_twice_in_one_statement(self) -> None:
        self.rewrite(
            "from models import Role, Organization, Role\n",
            "from app.db_models import Role, Organization\n",
        )

    def test_commented_alias_is_kept(self) -> None:
        self.rewrite(
            """
            from models import Role
            from unified_models import (
                Role,  # keep: read by the admin
                Team,
            )
            """,
            """
            from app.db_models import Role
            from app.db_models import (
                Role,  # keep: read by the admin
                Team,
            )
            """,
        )

    def test_dropped_last_line_of_a_block_keeps_comment(self) -> None:
        self.rewrite(
            """
            def f():
                from models import Role
                from unified_models import Role  # fallback
            """,
            """
            def f():
                from app.db_models import Role
                # fallback
            """,
        )

    def test_code_in_between_keeps_both(self) -> None:
        self.rewrite(
            """
            from models import Role
            Role = wrap(Role)
            from unified_models import Role
            """,
            """
            from app.db_models import Role
            Role = wrap(Role)
            from app.db_models import Role
            """,
        )

    def test_duplicates_noop(self) -> None:
        self.unchanged("""
            from app.db_models import Role
            from app.db_models import Role
            """)


class TestUntouchedFiles(_RewriteCase):
    """Form 14: files importing no old module come back byte for byte."""

    def test_no_old_import_is_skipped(self) -> None:
        self.unchanged("""
            # models are mentioned in this comment only
            import os
            """)

    def test_bom_and_encoding_survive(self) -> None:
        bom = b"\xef\xbb\xbffrom models import Role  # r\xc3\xb4le\r\n"
        assert (
            run_bytes(bom)
            == b"\xef\xbb\xbffrom app.db_models import Role  # r\xc3\xb4le\r\n"
        )
        latin = b"# -*- coding: latin-1 -*-\nfrom models import Role  # r\xf4le\n"
        assert run_bytes(latin) == latin.replace(b"models", b"app.db_models")

    def test_crlf_and_comments_survive(self) -> None:
        source = (
            b"# header\r\n"
            b"from models import (  # c1\r\n"
            b"    Organization,  # c2\r\n"
            b")\r\n"
            b"from . import unified_models\r\n"
            b"unified_models.Role\r\n"
        )
        expected = (
            b"# header\r\n"
            b"from app.db_models import (  # c1\r\n"
            b"    Organization,  # c2\r\n"
            b")\r\n"
            b"from . import db_models\r\n"
            b"db_models.Role\r\n"
        )
        old = ["models", "app.unified_models"]
        assert run_bytes(source, in_module("app.views"), old_modules=old) == expected

    def test_crlf_split_lines_use_crlf(self) -> None:
        source = b"from app.models import user, helpers\r\nuser.X\r\n"
        expected = (
            b"from app.models import helpers\r\n"
            b"from app import db_models\r\n"
            b"db_models.X\r\n"
        )
        assert run_bytes(source, old_modules=["app.models.user"]) == expected


class TestDynamicImports(_RewriteCase):
    """Form 15: dynamic imports are reported, never rewritten."""

    def test_dynamic_imports_warn(self) -> None:
        self.unchanged(
            """
            import importlib
            from importlib import import_module as load
            a = importlib.import_module("models")
            b = __import__("unified_models")
            c = load(".mvp_models", __package__)
            """,
            old_modules=["models", "unified_models", "app.mvp_models"],
            warnings=[
                "3: dynamic import of 'models' left unchanged",
                "4: dynamic import of 'unified_models' left unchanged",
                "5: dynamic import of 'app.mvp_models' left unchanged",
            ],
        )

    def test_dynamic_import_next_to_static_one(self) -> None:
        self.rewrite(
            """
            import importlib
            from models import Role
            plugin = importlib.import_module("models")
            """,
            """
            import importlib
            from app.db_models import Role
            plugin = importlib.import_module("models")
            """,
            warnings=["3: dynamic import of 'models' left unchanged"],
        )

    def test_dynamic_noop(self) -> None:
        self.unchanged("""
            import importlib
            importlib.import_module("models_extra")
            importlib.import_module(name_of_models)
            """)


class TestTargetModule(_RewriteCase):
    """Inside the new module itself, imports of the old ones are removed."""

    @property
    def here(self) -> CodemodContext:
        return in_module("app.db_models")

    def test_imports_removed(self) -> None:
        self.rewrite(
            """
            from sqlalchemy import Column
            from models import Organization, Role
            from mvp_models import *

            class Team(Organization):
                role = Column(Role)
            """,
            """
            from sqlalchemy import Column

            class Team(Organization):
                role = Column(Role)
            """,
            context=self.here,
        )

    def test_renamed_uses_follow(self) -> None:
        self.rewrite(
            """
            from mvp_models import MVPUser

            class User:
                pass

            ADMIN = MVPUser()
            """,
            """

            class User:
                pass

            ADMIN = User()
            """,
            context=self.here,
        )

    def test_aliases_and_module_imports_warn(self) -> None:
        self.rewrite(
            """
            import models
            from models import Organization as Org
            """,
            """
            import models
            """,
            context=self.here,
            warnings=[
                "1: import of 'models' left unchanged in 'app.db_models' itself",
                "2: 'Org' was imported from an old module and is not defined in"
                " 'app.db_models': define Org = Organization",
            ],
        )

    def test_emptied_body_gets_pass(self) -> None:
        self.rewrite(
            """
            import os; from models import Role
            def register():
                from models import Role  # registers the table
            """,
            """
            import os
            def register():
                # registers the table
                pass
            """,
            context=self.here,
        )

    def test_target_module_noop(self) -> None:
        self.unchanged("from sqlalchemy import Column\n", context=self.here)


class TestArguments:
    """The constructor validates its arguments and names the bad one."""

    @pytest.mark.parametrize(
        ("kwargs", "message"),
        [
            pytest.param({"old_modules": []}, "old_modules", id="no old module"),
            pytest.param({"old_modules": "models"}, "old_modules", id="old is a str"),
            pytest.param({"old_modules": ["app..models"]}, "old_modules", id="bad old"),
            pytest.param({"new_module": "app.db-models"}, "new_module", id="bad new"),
            pytest.param({"new_module": "class"}, "new_module", id="keyword new"),
            pytest.param({"new_module": "models"}, "new_module", id="new is old"),
            pytest.param({"renames": ["MVPUser"]}, "renames", id="no equals sign"),
            pytest.param({"renames": ["MVP User=User"]}, "renames", id="not a name"),
            pytest.param({"renames": ["A=B", "A=C"]}, "renames", id="two targets"),
            pytest.param({"renames": ["A=B", "B=A"]}, "renames: cycle", id="cycle"),
            pytest.param({"renames": ["A=A"]}, "renames: cycle A -> A", id="self"),
            pytest.param({"renames": "A=B"}, "renames", id="renames is a str"),
        ],
    )
    def test_bad_arguments(self, kwargs: dict, message: str) -> None:
        arguments = {"old_modules": OLD, "new_module": NEW, **kwargs}
        with pytest.raises(ValueError, match=f"^{message}"):
            RewriteImportsCommand(CodemodContext(), **arguments)

    def test_good_arguments(self) -> None:
        command = RewriteImportsCommand(
            CodemodContext(), ["models"], "app.db_models", [" A = B ", "B=C"]
        )
        assert command.renames == {"A": "C", "B": "C"}


def run_bytes(
    source: bytes, context: CodemodContext | None = None, **kwargs: object
) -> bytes:
    """Run the command on ``source`` parsed as bytes; return the new bytes."""
    arguments = {"old_modules": OLD, "new_module": NEW, "renames": RENAMES, **kwargs}
    command = RewriteImportsCommand(context or in_module("app.views"), **arguments)
    return command.transform_module(cst.parse_module(source)).bytes


class TestCommandLine:
    """``python -m libcst.tool codemod rewrite_imports.RewriteImportsCommand``."""

    ARGS = [
        "--old-module", "models",
        "--old-module", "unified_models",
        "--old-module", "mvp_models",
        "--new-module", "app.db_models",
        "--rename", "MVPUser=User",
        "--rename", "MVPCompetency=Competency",
    ]  # fmt: skip

    @staticmethod
    def codemod(*args: str | Path) -> subprocess.CompletedProcess[str]:
        command = [sys.executable, "-m", "libcst.tool", "codemod"]
        command += ["rewrite_imports.RewriteImportsCommand", *map(str, args)]
        command += ["--no-format", "-j", "1", "--hide-progress"]
        return subprocess.run(command, cwd=ROOT, capture_output=True, text=True)

    def test_rewrites_files(self, tmp_path: Path) -> None:
        views = tmp_path / "views.py"
        untouched = tmp_path / "untouched.py"
        shutil.copyfile(DATA / "views.py.txt", views)
        shutil.copyfile(DATA / "untouched.py.txt", untouched)
        result = self.codemod(*self.ARGS, views, untouched)
        assert result.returncode == 0, result.stderr
        assert views.read_text() == (DATA / "views.expected.py.txt").read_text()
        assert untouched.read_bytes() == (DATA / "untouched.py.txt").read_bytes()
        assert "Transformed 1 files successfully." in result.stderr
        assert "Skipped 1 files." in result.stderr

    def test_bad_argument_fails_the_file(self, tmp_path: Path) -> None:
        views = tmp_path / "views.py"
        shutil.copyfile(DATA / "views.py.txt", views)
        result = self.codemod(*self.ARGS, "--rename", "MVPUser", views)
        assert result.returncode == 1
        assert "renames: 'MVPUser' is not of the form OLD=NEW" in result.stderr
        assert views.read_bytes() == (DATA / "views.py.txt").read_bytes()

    def test_help_documents_every_argument(self) -> None:
        result = self.codemod("--help")
        assert result.returncode == 0, result.stderr
        for flag in ("--old-module MODULE", "--new-module MODULE", "--rename OLD=NEW"):
            assert flag in result.stdout
