"""Demo catalogue: the course index under the home page and a realistic set of course pages.

Hours and modules follow the shape of the national training outlines (国家卫生健康委, 2021);
they are demo data the editors can change, not rules. Pages are found by slug, so running the
seed again changes nothing.
"""

from decimal import Decimal

from wagtail.models import Page

from registry.models import StaffRole, TrainingCategory

from .models import CourseIndexPage, CoursePage

# (slug, title, category, target role, summary, pass marks (theory, practice),
#  modules [(title, theory hours, practice hours, description)])
COURSES = [
    (
        "director", "托育机构负责人培训", TrainingCategory.DIRECTOR, StaffRole.DIRECTOR,
        "面向托育机构负责人，系统学习托育政策法规、机构运营管理、安全与卫生保健管理、保育质量提升等内容。",
        (60, 60),
        [
            ("托育政策法规与机构设置标准", 8, 0, "国家和云南省托育服务政策、《托育机构设置标准（试行）》《托育机构管理规范（试行）》。"),
            ("机构运营与人员管理", 8, 4, "机构备案、财务与收费管理、人员招聘与培训、普惠托育运营。"),
            ("安全管理与应急处置", 8, 4, "安全制度、消防演练、意外伤害预防与处置、突发事件应急预案。"),
            ("卫生保健管理", 8, 4, "晨午检、膳食营养、传染病防控、健康档案管理。"),
            ("保育照护质量与家园共育", 8, 4, "一日生活安排、回应性照护、质量评估、家长沟通与科学育儿指导。"),
        ],
    ),
    (
        "caregiver-pre-job", "保育人员岗前培训", TrainingCategory.PRE_JOB, StaffRole.CAREGIVER,
        "面向新入职或拟从事托育工作的保育人员，掌握婴幼儿生活照料、安全照护和早期发展支持的基本技能。",
        (60, 60),
        [
            ("职业道德与婴幼儿权益保护", 4, 0, "保育人员职业守则、儿童权利与虐待预防。"),
            ("婴幼儿生理心理发展", 8, 0, "0—3岁婴幼儿身心发展规律与个体差异。"),
            ("生活照料", 4, 8, "喂养、睡眠、如厕、清洁等一日生活照料。"),
            ("安全照护与伤害预防", 4, 4, "环境安全检查、常见意外伤害的预防与初步处理。"),
            ("早期发展支持", 4, 4, "动作、语言、认知和社会情感发展的游戏活动。"),
        ],
    ),
    (
        "caregiver-upskill", "保育人员技能提升培训", TrainingCategory.UPSKILL, StaffRole.CAREGIVER,
        "面向在岗保育人员，提升回应性照护、观察记录和活动设计能力，衔接保育师职业技能等级认定。",
        (60, 70),
        [
            ("回应性照护与依恋关系", 4, 4, "识别并回应婴幼儿需求，建立安全依恋。"),
            ("观察记录与发展评估", 4, 4, "观察方法、成长档案与发展评估工具。"),
            ("游戏活动设计与组织", 4, 8, "分月龄游戏活动设计、材料投放与组织实施。"),
            ("特殊需要婴幼儿照护", 4, 0, "发育迟缓等特殊需要婴幼儿的识别与转介。"),
        ],
    ),
    (
        "health", "托育机构保健人员培训", TrainingCategory.HEALTH, StaffRole.HEALTH,
        "面向托育机构保健人员，由妇幼保健机构组织，掌握卫生保健工作规范与常见病防控。",
        (60, 60),
        [
            ("托育机构卫生保健工作规范", 8, 0, "卫生保健制度、健康检查与健康档案。"),
            ("膳食营养与喂养指导", 4, 4, "带量食谱编制、食品安全、喂养问题指导。"),
            ("常见病与传染病防控", 8, 4, "常见病识别、传染病报告与消毒隔离。"),
            ("儿童伤害急救", 4, 8, "海姆立克急救法、心肺复苏、外伤处理。"),
        ],
    ),
    (
        "transfer", "幼儿园教师转岗托育培训", TrainingCategory.TRANSFER, StaffRole.CAREGIVER,
        "面向从幼儿园、医疗等岗位转入托育服务的人员，补足0—3岁婴幼儿照护的专业知识与技能。",
        (60, 60),
        [
            ("0—3岁与3—6岁教育的差异", 8, 0, "婴幼儿发展特点与托育服务定位。"),
            ("婴幼儿生活照料与安全", 4, 8, "喂养、睡眠、清洁与安全照护实操。"),
            ("托育活动组织", 4, 4, "回应性照护与游戏活动组织。"),
        ],
    ),
    (
        "startup", "托育服务创业培训", TrainingCategory.STARTUP, StaffRole.DIRECTOR,
        "面向拟举办或新举办托育机构的人员，了解备案流程、选址与场地、财务测算和普惠托育政策。",
        (60, 60),
        [
            ("托育机构备案与设置标准", 8, 0, "备案流程、场地与设施设备要求。"),
            ("创业计划与财务测算", 8, 4, "市场调研、成本测算、收费与普惠补助。"),
            ("品牌运营与家长服务", 4, 4, "招生宣传、家长服务与口碑建设。"),
        ],
    ),
]


def _modules(modules):
    return [
        ("module", {"title": t, "theory_hours": Decimal(th), "practice_hours": Decimal(pr), "description": d})
        for t, th, pr, d in modules
    ]


def seed(ctx):
    home = Page.objects.filter(depth=2).order_by("path").first()
    if home is None:
        ctx.log("课程：未找到首页，跳过。")
        return
    index = CourseIndexPage.objects.first()
    if index is None:
        index = CourseIndexPage(
            title="培训课程", slug="courses",
            intro="<p>曲靖市托育从业人员培训课程目录。选择课程查看要求与近期班次，登录并认领从业人员记录后即可报名。</p>",
        )
        home.add_child(instance=index)
        index.save_revision().publish()
    created = 0
    for slug, title, category, role, summary, (theory_mark, practice_mark), modules in COURSES:
        if CoursePage.objects.filter(slug=slug).exists():
            continue
        theory = sum(Decimal(m[1]) for m in modules)
        practice = sum(Decimal(m[2]) for m in modules)
        page = CoursePage(
            title=title, slug=slug, summary=summary, category=category, target_role=role,
            required_theory_hours=theory, required_practice_hours=practice,
            theory_pass_mark=theory_mark, practice_pass_mark=practice_mark, syllabus=_modules(modules),
        )
        index.add_child(instance=page)
        page.save_revision().publish()
        created += 1
    ctx.log(f"课程：{CoursePage.objects.count()} 门课程（新建 {created} 门）")
