"""Which Django/Wagtail permissions each role holds, through one Django group per role.

A role is what a user *is*; a group is how Django and Wagtail check what they may *do*. Each
back-office role has a group named in Chinese (培训机构, 区县卫健局, 市卫健委, 内容编辑) whose
permissions are the union of:

- BASE_ROLE_PERMISSIONS below (admin access, and the editor's media permissions), and
- ROLE_PERMISSIONS of every installed app that has a `<app>/roles.py`, e.g. registry/roles.py:

      ROLE_PERMISSIONS = {"commission": ["registry.add_institution", ...], "county": [...]}

Group permissions say *which kinds* of objects a role may touch; *which rows* is decided by
the `visible_to(user)` / `editable_by(user)` querysets. The groups are rebuilt after every
`migrate` (so a new app's permissions arrive with its migrations), and a user's membership
follows their role whenever the user is saved.

AccountsConfig.ready() must import this module so its signal receivers are connected.
"""

import logging
from importlib import import_module

from django.apps import apps
from django.contrib.auth.management import create_permissions
from django.contrib.auth.models import Group, Permission
from django.db import transaction
from django.db.models.signals import post_init, post_migrate, post_save
from django.dispatch import receiver
from django.utils.module_loading import module_has_submodule

from .models import Role, User

logger = logging.getLogger(__name__)

# The group of each back-office role. Trainees work only in the front office: no group.
ROLE_GROUPS = {
    Role.PROVIDER: "培训机构",
    Role.COUNTY: "区县卫健局",
    Role.COMMISSION: "市卫健委",
    Role.EDITOR: "内容编辑",
}

BASE_ROLE_PERMISSIONS = {
    Role.PROVIDER: ["wagtailadmin.access_admin"],
    Role.COUNTY: ["wagtailadmin.access_admin"],
    Role.COMMISSION: ["wagtailadmin.access_admin"],
    Role.EDITOR: [
        "wagtailadmin.access_admin",
        "wagtailimages.add_image",
        "wagtailimages.change_image",
        "wagtailimages.choose_image",
        "wagtailimages.delete_image",
        "wagtaildocs.add_document",
        "wagtaildocs.change_document",
        "wagtaildocs.choose_document",
        "wagtaildocs.delete_document",
    ],
}

# Wagtail checks images and documents per collection and pages per subtree, so Django
# permissions alone do not let an editor upload an image or publish a page: they also need
# these permissions on the root collection and the root page.
EDITOR_COLLECTION_PERMISSIONS = [
    "wagtailimages.add_image",
    "wagtailimages.change_image",
    "wagtailimages.choose_image",
    "wagtailimages.delete_image",
    "wagtaildocs.add_document",
    "wagtaildocs.change_document",
    "wagtaildocs.choose_document",
    "wagtaildocs.delete_document",
]
EDITOR_PAGE_PERMISSIONS = [
    "wagtailcore.add_page",
    "wagtailcore.change_page",
    "wagtailcore.publish_page",
    "wagtailcore.lock_page",
    "wagtailcore.unlock_page",
]


def group_name(role):
    return ROLE_GROUPS.get(role)


def discover_role_permissions():
    """{role: sorted permission names} from the base list and every app's roles.py."""
    merged = {role: set(perms) for role, perms in BASE_ROLE_PERMISSIONS.items()}
    for app_config in apps.get_app_configs():
        if app_config.name == "accounts" or not module_has_submodule(app_config.module, "roles"):
            continue
        # Import errors inside an app's roles.py must surface, not be swallowed.
        module = import_module(f"{app_config.name}.roles")
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            if role not in ROLE_GROUPS:
                raise ValueError(f"{app_config.name}.roles: unknown role {role!r}")
            merged.setdefault(Role(role), set()).update(perms)
    return {role: sorted(perms) for role, perms in merged.items()}


def _permissions_by_name(names):
    """Permission objects for "app_label.codename" names, in two queries at most."""
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.filter(
            codename__in={codename for _, codename in wanted},
            content_type__app_label__in={label for label, _ in wanted},
        ).select_related("content_type")
    }
    missing = sorted(f"{a}.{c}" for a, c in wanted - found.keys())
    if missing:
        # A typo in an app's roles.py would silently withhold a permission; say so loudly.
        logger.warning("Role permissions not found (not migrated yet, or misspelt): %s", ", ".join(missing))
    return [found[key] for key in wanted if key in found]


def _grant_editor_wagtail_permissions(group):
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission, Page

    root_collection = Collection.get_first_root_node()
    if root_collection is not None:
        for perm in _permissions_by_name(EDITOR_COLLECTION_PERMISSIONS):
            GroupCollectionPermission.objects.get_or_create(
                group=group, collection=root_collection, permission=perm
            )
    root_page = Page.get_first_root_node()
    if root_page is not None:
        for perm in _permissions_by_name(EDITOR_PAGE_PERMISSIONS):
            GroupPagePermission.objects.get_or_create(group=group, page=root_page, permission=perm)


@transaction.atomic
def sync_role_group(role, permissions=None):
    """Create or update the group of `role` so it holds exactly its declared permissions."""
    name = group_name(role)
    if name is None:
        return None
    if permissions is None:
        permissions = discover_role_permissions().get(role, [])
    group, _ = Group.objects.get_or_create(name=name)
    group.permissions.set(_permissions_by_name(permissions))
    if role == Role.EDITOR:
        _grant_editor_wagtail_permissions(group)
    return group


@transaction.atomic
def sync_role_groups():
    """Rebuild every role group and put every user in the group of their role."""
    declared = discover_role_permissions()
    groups = {role: sync_role_group(role, declared.get(role, [])) for role in ROLE_GROUPS}
    membership = User.groups.through
    # Bulk, not per user: a deployment with thousands of trainees must migrate quickly.
    for role, group in groups.items():
        membership.objects.filter(group=group).exclude(user__role=role).delete()
    rows = [
        membership(user_id=user_id, group_id=groups[role].pk)
        for user_id, role in User.objects.filter(role__in=list(groups)).values_list("pk", "role")
    ]
    membership.objects.bulk_create(rows, ignore_conflicts=True)
    return groups


def assign_role_group(user):
    """Make `user` a member of their role's group and of no other role group."""
    role_group_names = set(ROLE_GROUPS.values())
    wanted = group_name(user.role)
    current = {g.name: g for g in user.groups.filter(name__in=role_group_names)}
    stale = [g for name, g in current.items() if name != wanted]
    if stale:
        user.groups.remove(*stale)
    if wanted and wanted not in current:
        group = Group.objects.filter(name=wanted).first() or sync_role_group(Role(user.role))
        user.groups.add(group)
    # Django caches permissions on the user object; the role change must take effect now.
    for attr in ("_perm_cache", "_user_perm_cache", "_group_perm_cache"):
        user.__dict__.pop(attr, None)


# --- Signals ---------------------------------------------------------------------------------


_UNKNOWN = object()


@receiver(post_init, sender=User, dispatch_uid="accounts.roles.remember_role")
def _remember_role(sender, instance, **kwargs):
    # Remembered so that saving a user whose role did not change costs no extra query.
    # A deferred role (`.only(...)`) is not read here: that would be one query per row.
    if not instance.pk:
        instance._role_at_load = None
    elif "role" in instance.__dict__:
        instance._role_at_load = instance.role
    else:
        instance._role_at_load = _UNKNOWN


@receiver(post_save, sender=User, dispatch_uid="accounts.roles.follow_role")
def _follow_role(sender, instance, created, raw=False, **kwargs):
    if raw:  # loaddata: groups come from the fixture itself
        return
    if created or instance.role != getattr(instance, "_role_at_load", None):
        assign_role_group(instance)
        instance._role_at_load = instance.role


def _last_migrated_app():
    # post_migrate is sent once per app with models, in INSTALLED_APPS order; by the last
    # one every app's permissions exist.
    configs = [c for c in apps.get_app_configs() if c.models_module is not None]
    return configs[-1].label if configs else None


@receiver(post_migrate, dispatch_uid="accounts.roles.sync_after_migrate")
def _sync_after_migrate(sender, app_config=None, using="default", verbosity=1, **kwargs):
    if app_config is None or app_config.label != _last_migrated_app():
        return
    # Permissions of every app must exist before groups reference them; creating them is
    # idempotent (the auth app's own post_migrate handler may not have run for all apps yet).
    for config in apps.get_app_configs():
        create_permissions(config, verbosity=0, using=using)
    sync_role_groups()
    if verbosity >= 2:
        print("  Role groups synchronised:", ", ".join(ROLE_GROUPS.values()))
