"""Permissions that follow from staff roles, so nobody maintains Django groups by hand for them."""

from django.contrib.auth.backends import BaseBackend

from .access import scope_of

BACK_OFFICE_PERMISSION = "wagtailadmin.access_admin"
# Group administrators manage people, companies, partners and API clients in the back office.
GROUP_ADMIN_APPS = {"accounts", "organisations", "api", "wagtailusers"}
# People, partners and companies are deactivated or blocked, never deleted: audit events and documents
# name them.
UNDELETABLE = {"accounts.delete_user", "organisations.delete_partner", "organisations.delete_company"}


class StaffRoleBackend(BaseBackend):
    def has_perm(self, user_obj, perm, obj=None):
        if not getattr(user_obj, "is_active", False):
            return False
        if perm == BACK_OFFICE_PERMISSION:
            return scope_of(user_obj).is_staff
        if perm in UNDELETABLE:
            return False
        return self.has_module_perms(user_obj, perm.split(".", 1)[0])

    def has_module_perms(self, user_obj, app_label):
        if not getattr(user_obj, "is_active", False):
            return False
        return app_label in GROUP_ADMIN_APPS and scope_of(user_obj).is_group_admin
