"""SQLAlchemy models of the metastore: every piece of metadata LakeAI keeps.

Timestamps are epoch milliseconds (Databricks' convention). Schema changes go through an
Alembic migration in ``core/migrations/versions``.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column


class Base(DeclarativeBase):
    pass


class PrincipalRow(Base):
    """A user, service principal or group."""

    __tablename__ = "principals"
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    kind: Mapped[str] = mapped_column(String(32))  # user | service_principal | group
    name: Mapped[str] = mapped_column(String(255), unique=True)  # userName / applicationId / group
    display_name: Mapped[str] = mapped_column(String(255), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    is_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    external_id: Mapped[str | None] = mapped_column(String(255), nullable=True)
    created_at: Mapped[int] = mapped_column(BigInteger)


class GroupMemberRow(Base):
    __tablename__ = "group_members"
    group_id: Mapped[int] = mapped_column(
        ForeignKey("principals.id", ondelete="CASCADE"), primary_key=True
    )
    member_id: Mapped[int] = mapped_column(
        ForeignKey("principals.id", ondelete="CASCADE"), primary_key=True
    )


class TokenRow(Base):
    """A personal access token; only its SHA-256 is stored."""

    __tablename__ = "tokens"
    token_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal_id: Mapped[int] = mapped_column(ForeignKey("principals.id", ondelete="CASCADE"))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    comment: Mapped[str] = mapped_column(String(1024), default="")
    created_at: Mapped[int] = mapped_column(BigInteger)
    expiry_time: Mapped[int] = mapped_column(BigInteger, default=-1)  # -1: never
    created_by: Mapped[str] = mapped_column(String(255), default="")


class SecurableRow(Base):
    """A catalog, schema, table or volume; ``spec`` holds the type-specific fields."""

    __tablename__ = "securables"
    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    securable_type: Mapped[str] = mapped_column(String(32), index=True)
    full_name: Mapped[str] = mapped_column(String(800), unique=True)
    parent_full_name: Mapped[str | None] = mapped_column(String(800), index=True, nullable=True)
    name: Mapped[str] = mapped_column(String(255))
    owner: Mapped[str] = mapped_column(String(255))
    comment: Mapped[str | None] = mapped_column(Text, nullable=True)
    properties: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    spec: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    created_at: Mapped[int] = mapped_column(BigInteger)
    created_by: Mapped[str] = mapped_column(String(255))
    updated_at: Mapped[int] = mapped_column(BigInteger)
    updated_by: Mapped[str] = mapped_column(String(255))


class GrantRow(Base):
    __tablename__ = "grants"
    __table_args__ = (UniqueConstraint("securable_type", "full_name", "principal", "privilege"),)
    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    securable_type: Mapped[str] = mapped_column(String(32))
    full_name: Mapped[str] = mapped_column(String(800), index=True)
    principal: Mapped[str] = mapped_column(String(255), index=True)
    privilege: Mapped[str] = mapped_column(String(64))


class SecretScopeRow(Base):
    __tablename__ = "secret_scopes"
    name: Mapped[str] = mapped_column(String(128), primary_key=True)
    created_by: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[int] = mapped_column(BigInteger)


class SecretRow(Base):
    """A secret value, encrypted with the workspace's Fernet key."""

    __tablename__ = "secrets"
    scope: Mapped[str] = mapped_column(
        ForeignKey("secret_scopes.name", ondelete="CASCADE"), primary_key=True
    )
    key: Mapped[str] = mapped_column(String(128), primary_key=True)
    ciphertext: Mapped[bytes] = mapped_column(LargeBinary)
    last_updated_timestamp: Mapped[int] = mapped_column(BigInteger)


class SecretAclRow(Base):
    __tablename__ = "secret_acls"
    scope: Mapped[str] = mapped_column(
        ForeignKey("secret_scopes.name", ondelete="CASCADE"), primary_key=True
    )
    principal: Mapped[str] = mapped_column(String(255), primary_key=True)
    permission: Mapped[str] = mapped_column(String(16))  # READ | WRITE | MANAGE


class StatementRow(Base):
    """A SQL statement run through the Statement Execution API, with its inline result."""

    __tablename__ = "sql_statements"
    statement_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    principal: Mapped[str] = mapped_column(String(255))
    state: Mapped[str] = mapped_column(String(16))
    created_at: Mapped[int] = mapped_column(BigInteger)
    response: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)


class ServingEndpointRow(Base):
    """A serving endpoint: its config (served entities, traffic) and AI-gateway settings."""

    __tablename__ = "serving_endpoints"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    task: Mapped[str] = mapped_column(String(32))
    owner: Mapped[str] = mapped_column(String(255))
    creator: Mapped[str] = mapped_column(String(255))
    description: Mapped[str | None] = mapped_column(Text, nullable=True)
    config: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    ai_gateway: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    tags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
    config_version: Mapped[int] = mapped_column(Integer, default=1)
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)


class VectorSearchEndpointRow(Base):
    """A vector search endpoint: a named group of indexes (compute, in Databricks)."""

    __tablename__ = "vector_search_endpoints"
    name: Mapped[str] = mapped_column(String(64), primary_key=True)
    id: Mapped[str] = mapped_column(String(36), unique=True)
    endpoint_type: Mapped[str] = mapped_column(String(32))
    creator: Mapped[str] = mapped_column(String(255))
    created_at: Mapped[int] = mapped_column(BigInteger)
    updated_at: Mapped[int] = mapped_column(BigInteger)
    custom_tags: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)
