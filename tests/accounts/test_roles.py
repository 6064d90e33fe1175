"""Role groups: each back-office role has a Chinese-named group, and membership follows the role."""

import pytest
from django.contrib.auth.models import Group
from django.core.management.sql import emit_post_migrate_signal

import accounts.roles  # noqa: F401  (connects the role signals; AccountsConfig.ready should import it)
from accounts.models import Role, User
from accounts.roles import ROLE_GROUPS, discover_role_permissions, sync_role_groups

from tests import factories as f

pytestmark = pytest.mark.django_db


def role_groups(user):
    return set(User.objects.get(pk=user.pk).groups.filter(name__in=ROLE_GROUPS.values()).values_list("name", flat=True))


def fresh(user):
    # has_perm caches on the instance; a fresh instance sees the current groups.
    return User.objects.get(pk=user.pk)


def test_groups_exist_with_chinese_names_after_migrate():
    assert set(Group.objects.values_list("name", flat=True)) >= {"培训机构", "区县卫健局", "市卫健委", "内容编辑"}


def test_every_back_office_group_may_enter_the_admin():
    for name in ROLE_GROUPS.values():
        group = Group.objects.get(name=name)
        assert group.permissions.filter(codename="access_admin", content_type__app_label="wagtailadmin").exists()


def test_registry_permissions_are_collected_from_the_app(personas):
    declared = discover_role_permissions()
    assert "registry.delete_person" in declared[Role.COMMISSION]
    assert "registry.change_institution" in declared[Role.COUNTY]
    assert "registry.delete_institution" not in declared[Role.COUNTY]
    assert set(declared[Role.PROVIDER]) >= {"registry.view_trainingprovider", "registry.change_trainingprovider"}

    commission, county, provider = (fresh(personas[k]) for k in ("commission", "county_x", "provider_a"))
    assert commission.has_perm("registry.delete_employment")
    assert county.has_perm("registry.add_person") and not county.has_perm("registry.delete_person")
    assert county.has_perm("registry.view_trainingprovider")
    assert not county.has_perm("registry.change_trainingprovider")
    assert provider.has_perm("registry.change_trainingprovider")
    assert not provider.has_perm("registry.view_institution")


def test_personas_are_in_the_group_of_their_role(personas):
    assert role_groups(personas["commission"]) == {"市卫健委"}
    assert role_groups(personas["county_x"]) == {"区县卫健局"}
    assert role_groups(personas["provider_a"]) == {"培训机构"}
    assert role_groups(personas["editor"]) == {"内容编辑"}
    assert role_groups(personas["trainee_a"]) == set()
    assert not fresh(personas["trainee_a"]).has_perm("wagtailadmin.access_admin")
    assert fresh(personas["editor"]).has_perm("wagtailadmin.access_admin")


def test_membership_follows_role_changes(personas, county_x_obj):
    user = personas["trainee_a"]
    user.role, user.county = Role.COUNTY, county_x_obj
    user.save()
    assert role_groups(user) == {"区县卫健局"}
    assert fresh(user).has_perm("registry.change_institution")

    user = fresh(user)
    user.role, user.county = Role.COMMISSION, None
    user.save()
    assert role_groups(user) == {"市卫健委"}

    user = fresh(user)
    user.role = Role.TRAINEE
    user.save()
    assert role_groups(user) == set()
    assert not fresh(user).has_perm("wagtailadmin.access_admin")


def test_other_groups_of_a_user_are_left_alone(personas):
    user = personas["county_x"]
    reviewers = Group.objects.create(name="证书审核")
    user.groups.add(reviewers)
    user = fresh(user)
    user.role, user.county = Role.EDITOR, None
    user.save()
    assert set(fresh(user).groups.values_list("name", flat=True)) == {"证书审核", "内容编辑"}


def test_saving_without_role_change_keeps_membership(personas):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    user = fresh(personas["county_x"])
    user.full_name = "赵局长"
    # Saving a user whose role is unchanged must not touch the groups at all.
    with CaptureQueriesContext(connection) as queries:
        user.save()
    assert not [q for q in queries.captured_queries if "auth_group" in q["sql"]]
    assert role_groups(user) == {"区县卫健局"}


def test_sync_repairs_groups_and_membership(personas):
    Group.objects.get(name="区县卫健局").permissions.clear()
    personas["county_y"].groups.clear()
    personas["trainee_b"].groups.add(Group.objects.get(name="市卫健委"))

    sync_role_groups()

    assert fresh(personas["county_y"]).has_perm("registry.view_institution")
    assert role_groups(personas["trainee_b"]) == set()


def test_groups_are_rebuilt_by_migrate(personas):
    Group.objects.filter(name="培训机构").delete()
    # What `migrate` sends at its end (running migrate itself inside a test transaction
    # is not possible on SQLite).
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert role_groups(personas["provider_a"]) == {"培训机构"}
    assert fresh(personas["provider_a"]).has_perm("registry.change_trainingprovider")


def test_editor_may_publish_pages_and_upload_images(personas):
    from wagtail.models import Collection, GroupCollectionPermission, GroupPagePermission

    group = Group.objects.get(name="内容编辑")
    root_collection = Collection.get_first_root_node()
    assert GroupCollectionPermission.objects.filter(
        group=group, collection=root_collection, permission__codename="add_image"
    ).exists()
    assert GroupPagePermission.objects.filter(group=group, permission__codename="publish_page").exists()


def test_new_user_created_with_a_role_joins_its_group(db):
    user = f.UserFactory(role=Role.EDITOR)
    assert role_groups(user) == {"内容编辑"}


# --- 账号与角色 (accounts/wagtail_hooks.py) ----------------------------------------------------


def account_data(**overrides):
    data = {"full_name": "赵区长", "phone": "13600001111", "email": "", "role": "county", "county": "",
            "provider": "", "is_active": "on", "password": "Qujing-2026!x"}
    data.update(overrides)
    return data


def test_only_the_commission_manages_accounts(personas, as_user):
    from django.urls import reverse

    index = reverse("accounts_user:index")
    assert as_user(personas["commission"]).get(index).status_code == 200
    for persona in ("county_x", "provider_a", "editor"):
        assert as_user(personas[persona]).get(index).status_code == 403, persona
    edit = reverse("accounts_user:edit", args=[personas["county_y"].pk])
    assert as_user(personas["county_x"]).get(edit).status_code in (403, 404)


def test_commission_creates_a_county_official_who_joins_the_group(personas, county_x_obj, as_user):
    from django.urls import reverse

    client = as_user(personas["commission"])
    response = client.post(reverse("accounts_user:add"), account_data())
    assert response.status_code == 400
    assert "区县卫健局账号必须选择所属区县" in response.content.decode()
    assert not User.objects.filter(phone="13600001111").exists()

    response = client.post(reverse("accounts_user:add"), account_data(county=county_x_obj.pk, phone="136 0000 1111"))
    assert response.status_code == 302
    user = User.objects.get(phone="13600001111")
    assert user.county == county_x_obj and user.check_password("Qujing-2026!x")
    assert role_groups(user) == {"区县卫健局"}

    # Changing the role in the form moves the account to the other group.
    response = client.post(reverse("accounts_user:edit", args=[user.pk]),
                           account_data(role="editor", county=county_x_obj.pk, password=""))
    assert response.status_code == 302
    user = fresh(user)
    assert user.role == Role.EDITOR and user.county is None
    assert role_groups(user) == {"内容编辑"}


def test_commission_cannot_touch_superusers(personas, as_user):
    from django.urls import reverse

    boss = User.objects.create_superuser("root", "root@example.cn", "Qujing-2026!")
    client = as_user(personas["commission"])
    assert client.get(reverse("accounts_user:edit", args=[boss.pk])).status_code == 404
    assert client.post(reverse("accounts_user:delete", args=[boss.pk])).status_code == 404
    assert "root@example.cn" not in client.get(reverse("accounts_user:index")).content.decode()


def test_account_form_refuses_bad_phone_and_duplicates(personas, county_x_obj, as_user):
    from django.urls import reverse

    client = as_user(personas["commission"])
    response = client.post(reverse("accounts_user:add"), account_data(role="editor", phone="1234"))
    assert response.status_code == 400
    assert "手机号应为 11 位" in response.content.decode()
    taken = personas["county_y"].email
    response = client.post(reverse("accounts_user:add"), account_data(role="editor", phone="", email=taken))
    assert response.status_code == 400
    assert User.objects.filter(email=taken).count() == 1


def test_every_declared_role_permission_exists():
    # A misspelt codename in some app's roles.py would silently withhold a permission.
    from django.contrib.auth.models import Permission

    existing = {
        f"{app}.{codename}"
        for app, codename in Permission.objects.values_list("content_type__app_label", "codename")
    }
    for role, perms in discover_role_permissions().items():
        missing = sorted(set(perms) - existing)
        assert not missing, f"{role}: {missing}"


def test_loading_users_with_deferred_role_costs_no_query_per_row(personas, django_assert_num_queries):
    with django_assert_num_queries(1):
        users = list(User.objects.only("pk", "username"))
    assert len(users) >= 8
    # Saving such a user still keeps the membership right.
    user = User.objects.only("pk", "username").get(pk=personas["county_x"].pk)
    user.save()
    assert role_groups(user) == {"区县卫健局"}
