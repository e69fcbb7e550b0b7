"""Who may see and change the item master. It is group-wide master data (物品标准化): every staff member
reads it; stewards of master data (the `master_data` staff role, in any company or group-wide) and group
administrators change it."""

from __future__ import annotations

from typing import Any

from portal.organisations.access import scope_of
from portal.organisations.models import StaffRoleName


def may_view_item_master(user: Any) -> bool:
    return scope_of(user).is_staff


def may_change_item_master(user: Any) -> bool:
    scope = scope_of(user)
    return scope.is_group_admin or scope.has_staff_role(StaffRoleName.MASTER_DATA)
