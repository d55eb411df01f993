"""initial schema (written by hand for the pilot)

Revision ID: 3f2a9c1d7b10
Revises:
Create Date: 2024-03-11 09:12:44

The MVP's organization_id columns get no foreign key: the prototype's
"organizations" table never existed here, and role_mapping's UUID strings
cannot reference an integer key.
"""
from alembic import op
import sqlalchemy as sa

revision = "3f2a9c1d7b10"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "organization",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("name", sa.String(length=120), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
    )
    op.create_table(
        "users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("email", sa.String(length=255), nullable=False),
        sa.Column("organization_id", sa.Integer(), sa.ForeignKey("organization.id"),
                  nullable=True),
    )
    op.create_table(
        "mvp_users",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("username", sa.String(length=80), nullable=False),
        sa.Column("organization_id", sa.Integer(), nullable=True),
    )
    op.create_table(
        "role_mapping",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("role_name", sa.String(length=100), nullable=False),
        sa.Column("organization_id", sa.String(length=36), nullable=True),
        sa.Column("mvp_user_id", sa.Integer(), sa.ForeignKey("mvp_users.id"), nullable=True),
    )


def downgrade():
    op.drop_table("role_mapping")
    op.drop_table("mvp_users")
    op.drop_table("users")
    op.drop_table("organization")
