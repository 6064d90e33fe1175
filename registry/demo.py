"""Demo registry: institutions of every type in all ten counties, ~700 practitioners with
employments, training providers, and one account per role.

Every row is found by its natural key (credit code, provider name, 身份证号 hash, employment
identity, account username) before it is written, so a second run changes nothing.
"""

import datetime

from allauth.account.models import EmailAddress

from accounts.models import Role, User
from accounts.security import has_totp, requires_second_factor
from allauth.mfa.totp.internal.auth import TOTP
from core.validators import make_id_number, make_uscc

from .models import (
    County,
    DemoLevel,
    Employment,
    Institution,
    InstitutionType,
    Person,
    ProviderKind,
    RegistrationStatus,
    StaffRole,
    TrainingProvider,
)

DEMO_PASSWORD = "Qujing@2026"
# Back-office accounts must use a second factor. The demo ones share this published TOTP
# secret (add it to any authenticator app, or `oathtool --totp -b SECRET`): demo only.
DEMO_TOTP_SECRET = "JBSWY3DPEHPK3PXPQJTYDEMOTWQBCDEF"

SURNAMES = "王李张刘陈杨赵黄周吴徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
GIVEN_FEMALE = ["丽", "芳", "娜", "敏", "静", "秀英", "艳", "娟", "霞", "婷", "雪", "琳", "燕", "红梅", "玉兰", "晓燕", "春梅", "佳", "倩", "颖", "慧", "海燕", "丹", "欣怡", "梦瑶", "雨涵", "思琪", "诗琪", "佳怡", "玉婷", "美玲", "晓丽"]
GIVEN_MALE = ["伟", "强", "磊", "军", "勇", "杰", "涛", "明", "超", "刚", "平", "辉", "鹏", "华", "建国", "志强", "文斌", "俊杰", "浩然", "子轩"]

# Institution name patterns by type; {c} is the county's short name, {n} a place name.
PLACES = ["南城", "北城", "翠峰", "寥廓", "西山", "潇湘", "白石江", "三宝", "珠街", "越州", "东山", "茨营", "龙泉", "金麟", "云峰", "花园", "阳光", "育才", "春晖", "晨曦"]
TYPE_NAMES = {
    InstitutionType.PUBLIC_CENTRE: "{c}{n}公办综合托育服务中心",
    InstitutionType.KINDERGARTEN: "{c}{n}幼儿园托班",
    InstitutionType.COMMUNITY: "{c}{n}社区托育服务站",
    InstitutionType.EMPLOYER: "{c}{n}职工子女托育园",
    InstitutionType.PRIVATE: "{c}{n}宝贝托育中心",
    InstitutionType.FAMILY: "{c}{n}家庭托育点",
}

PROVIDERS = [
    ("曲靖医学高等专科学校", ProviderKind.COLLEGE, "麒麟区"),
    ("曲靖市托育综合服务中心", ProviderKind.CHILDCARE_CENTRE, "麒麟区"),
    ("曲靖市妇幼保健院", ProviderKind.MCH, "麒麟区"),
    ("曲靖市第一人民医院", ProviderKind.HOSPITAL, "麒麟区"),
    ("宣威市职业技术学校", ProviderKind.COLLEGE, "宣威市"),
    ("会泽县妇幼保健院", ProviderKind.MCH, "会泽县"),
    ("陆良县职业技术学校", ProviderKind.COLLEGE, "陆良县"),
    ("罗平县妇幼保健院", ProviderKind.MCH, "罗平县"),
    ("曲靖爱心托育职业培训学校", ProviderKind.PRIVATE, "沾益区"),
]

# (username, role label, role, county, provider index, email, phone)
ACCOUNTS = [
    ("demo_commission", "市卫健委", Role.COMMISSION, None, None, "commission@qjty.demo", "13800000001"),
    ("demo_qilin", "区县(麒麟区)", Role.COUNTY, "麒麟区", None, "qilin@qjty.demo", "13800000002"),
    ("demo_xuanwei", "区县(宣威市)", Role.COUNTY, "宣威市", None, "xuanwei@qjty.demo", "13800000003"),
    ("demo_provider", "培训机构", Role.PROVIDER, None, 0, "provider@qjty.demo", "13800000004"),
    ("demo_provider2", "培训机构(宣威)", Role.PROVIDER, None, 4, "provider2@qjty.demo", "13800000005"),
    ("demo_editor", "内容编辑", Role.EDITOR, None, None, "editor@qjty.demo", "13800000006"),
    ("demo_trainee", "学员", Role.TRAINEE, None, None, "trainee@qjty.demo", "13800000007"),
]


def seed(ctx):
    rng = ctx.rng("registry")
    counties = list(County.objects.order_by("sort_order"))
    providers = _seed_providers(counties)
    institutions = _seed_institutions(rng, counties)
    persons = _seed_people(rng, counties, institutions)
    _seed_accounts(ctx, counties, providers, persons)
    ctx.log(
        f"名录：{len(institutions)} 家托育机构，{len(providers)} 家培训机构，{len(persons)} 名从业人员，"
        f"{Employment.objects.count()} 条任职"
    )


def _seed_providers(counties):
    by_name = {c.name: c for c in counties}
    providers = []
    for i, (name, kind, county) in enumerate(PROVIDERS):
        provider = TrainingProvider.objects.filter(name=name).first()
        if provider is None:
            provider = TrainingProvider.objects.create(
                name=name, kind=kind, county=by_name[county],
                uscc=make_uscc(f"12530300MB{i + 1:07d}"), contact_name="培训科", approved=True,
            )
        providers.append(provider)
    return providers


def _seed_institutions(rng, counties):
    existing = {i.uscc: i for i in Institution.objects.all()}
    institutions = []
    types = list(InstitutionType)
    for ci, county in enumerate(counties):
        area = county.code or "530302"
        places = rng.sample(PLACES, 8)
        for k in range(8):  # 8 per county: every type at least once, 80 in all
            itype = types[k % len(types)]
            code = make_uscc(f"52{area}MJ{ci * 100 + k + 1:07d}")
            # Draw every random value before looking for the row, so that the stream (and
            # with it everything generated later) is the same on every run.
            registered = rng.random() < 0.88
            reg_date = datetime.date(2021, 1, 1) + datetime.timedelta(days=rng.randrange(0, 5 * 365 + 300))
            puhui = rng.random() < 0.4
            capacity = rng.choice([20, 30, 40, 60, 80, 100, 150])
            level = rng.choice([DemoLevel.NONE] * 6 + [DemoLevel.CITY, DemoLevel.PROVINCE])
            street_no = rng.randrange(1, 300)
            if code in existing:
                institutions.append(existing[code])
                continue
            inst = Institution.objects.create(
                name=TYPE_NAMES[itype].format(c=county.short_name, n=places[k]),
                uscc=code,
                county=county,
                type=itype,
                is_puhui=itype in (InstitutionType.PUBLIC_CENTRE, InstitutionType.COMMUNITY) or puhui,
                registration_status=RegistrationStatus.REGISTERED if registered else RegistrationStatus.UNREGISTERED,
                registration_date=min(reg_date, datetime.date(2026, 10, 31)) if registered else None,
                capacity=capacity,
                demo_level=level,
                address=f"{county.name}{places[k]}路{street_no}号",
            )
            institutions.append(inst)
    return institutions


def _person_name(rng):
    surname = rng.choice(SURNAMES)
    given = rng.choice(GIVEN_FEMALE) if rng.random() < 0.9 else rng.choice(GIVEN_MALE)
    return surname + given


def _seed_people(rng, counties, institutions):
    """Staff per institution: one director, caregivers, a health worker, sometimes a cook."""
    persons = []
    used_numbers = set()
    for inst in institutions:
        area = inst.county.code or "530302"
        staff_roles = [StaffRole.DIRECTOR, StaffRole.HEALTH] + [StaffRole.CAREGIVER] * rng.randint(4, 7)
        if rng.random() < 0.5:
            staff_roles.append(StaffRole.OTHER)
        for role in staff_roles:
            birth = datetime.date(1968, 1, 1) + datetime.timedelta(days=rng.randrange(0, 34 * 365))
            number = make_id_number(area, birth, rng.randrange(1, 999))
            while number in used_numbers:
                number = make_id_number(area, birth, rng.randrange(1, 999))
            used_numbers.add(number)
            name = _person_name(rng)
            phone = f"1{rng.choice('3578')}{rng.randrange(0, 10**9):09d}"
            start = max(
                inst.registration_date or datetime.date(2022, 1, 1),
                datetime.date(2021, 6, 1) + datetime.timedelta(days=rng.randrange(0, 4 * 365)),
            )
            start = min(start, datetime.date(2026, 9, 1))
            end = None
            if rng.random() < 0.12:
                end = start + datetime.timedelta(days=rng.randrange(90, 700))
                if end > datetime.date(2026, 11, 1):
                    end = None
            person = Person.objects.by_id_number(number).first()
            if person is None:
                person = Person(name=name, phone=phone)
                person.id_number = number
                person.save()
            Employment.objects.get_or_create(
                person=person, institution=inst, role=role, start_date=start, defaults={"end_date": end}
            )
            persons.append(person)
    return persons


def _seed_accounts(ctx, counties, providers, persons):
    by_name = {c.name: c for c in counties}
    for username, label, role, county, provider_idx, email, phone in ACCOUNTS:
        user = User.objects.filter(username=username).first()
        if user is None:
            user = User(
                username=username, email=email, phone=phone, phone_verified=True, role=role,
                county=by_name.get(county), full_name=f"演示{label}",
                provider=providers[provider_idx] if provider_idx is not None else None,
            )
            user.set_password(DEMO_PASSWORD)
            user.save()
        EmailAddress.objects.get_or_create(user=user, email=email, defaults={"verified": True, "primary": True})
        if requires_second_factor(user) and not has_totp(user):
            TOTP.activate(user, DEMO_TOTP_SECRET)
        ctx.accounts.append((label, email, DEMO_PASSWORD))
    admin = User.objects.filter(username="demo_admin").first()
    if admin is None:
        admin = User(username="demo_admin", email="admin@qjty.demo", role=Role.COMMISSION,
                     is_superuser=True, is_staff=True, full_name="系统管理员")
        admin.set_password(DEMO_PASSWORD)
        admin.save()
    EmailAddress.objects.get_or_create(user=admin, email=admin.email, defaults={"verified": True, "primary": True})
    if not has_totp(admin):
        TOTP.activate(admin, DEMO_TOTP_SECRET)
    ctx.accounts.append(("超级管理员", admin.email, DEMO_PASSWORD))
    ctx.log(f"管理人员账号需两步验证：演示 TOTP 密钥 {DEMO_TOTP_SECRET}（可用 oathtool --totp -b 密钥 生成动态口令）")

    # The demo trainee has claimed the record of a caregiver in 麒麟区.
    trainee = User.objects.get(username="demo_trainee")
    if not hasattr(trainee, "person"):
        candidate = (
            Person.objects.filter(user__isnull=True, employments__role=StaffRole.CAREGIVER,
                                  employments__institution__county__name="麒麟区", employments__end_date__isnull=True)
            .order_by("pk").first()
        )
        if candidate is not None:
            candidate.user = trainee
            candidate.save(update_fields=["user"])
            trainee.full_name = candidate.name
            trainee.save(update_fields=["full_name"])
