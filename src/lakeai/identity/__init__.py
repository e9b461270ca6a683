"""Identity: users, service principals, groups (SCIM) and personal access tokens."""

from lakeai.identity.service import GroupService, ServicePrincipalService, UserService
from lakeai.identity.tokens import TokenService

__all__ = ["GroupService", "ServicePrincipalService", "TokenService", "UserService"]
