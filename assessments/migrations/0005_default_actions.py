"""The starting library of suggested actions, per dimension and indicator code (HR edits it in the admin).
Written in Chinese, as the plans are: a suggestion is copied into the leader's plan as it stands.

Kept here, frozen, rather than imported: the library's model moved to followup, and an assessments migration
must not import a later layer (nor change when the code does)."""

from django.db import migrations

# (dimension code, indicator code or "" for the whole dimension, title, what will be done, days)
DEFAULT_ACTIONS = [
    (
        "theory",
        "",
        "制定个人理论学习计划",
        "每月至少安排两次专题学习，围绕党的创新理论和行业政策，形成学习笔记，季度末向班子汇报学习体会。",
        180,
    ),
    (
        "theory",
        "theory_practice",
        "开展一次“理论联系实际”专题调研",
        "结合分管业务选一个实际问题，运用所学理论开展调研，形成不少于三千字的调研报告并提出改进措施。",
        120,
    ),
    (
        "theory",
        "theory_lead",
        "牵头组织班子中心组学习",
        "每季度牵头一次班子中心组学习，准备专题发言，推动学习成果转化为管理举措。",
        270,
    ),
    (
        "professional",
        "",
        "参加专业能力提升培训",
        "报名参加一期与分管业务相关的专业培训（不少于 40 学时），结业后在单位内部分享所学。",
        180,
    ),
    (
        "professional",
        "prof_problems",
        "牵头一个攻关项目",
        "选定一个制约生产经营的难题，组建攻关小组，明确目标、节点和责任人，按月通报进展。",
        270,
    ),
    (
        "professional",
        "prof_people",
        "建立青年骨干培养机制",
        "确定两到三名青年骨干作为培养对象，制定一对一培养计划，每季度跟踪一次成长情况。",
        365,
    ),
    (
        "professional",
        "prof_execution",
        "建立重点工作督办台账",
        "对分管的重点工作建立督办台账，明确完成时限，每月检查一次落实情况并通报。",
        120,
    ),
    (
        "responsibility",
        "",
        "作出一项服务职工承诺",
        "围绕职工关心的一件实事作出公开承诺，明确完成时限，按期向职工代表通报办理情况。",
        180,
    ),
    (
        "responsibility",
        "resp_service",
        "建立基层联系点",
        "确定一个基层班组作为联系点，每月至少深入一次，帮助解决实际困难，建立问题清单并跟踪销号。",
        365,
    ),
    (
        "responsibility",
        "resp_ownership",
        "结对帮带一名同事",
        "与一名年轻干部结成帮带对子，每月至少谈心一次，在急难险重任务中带头示范。",
        180,
    ),
    (
        "responsibility",
        "resp_integrity",
        "开展廉洁自律专题自查",
        "对照廉洁从业规定开展一次专题自查，查找风险点并制定防控措施，在民主生活会上作说明。",
        90,
    ),
]


def create_default_actions(ActionTemplate) -> None:
    for order, (dimension, indicator, title, description, days) in enumerate(DEFAULT_ACTIONS):
        ActionTemplate.objects.get_or_create(
            dimension_code=dimension,
            indicator_code=indicator,
            title=title,
            defaults={"description": description, "duration_days": days, "order": order},
        )


def forwards(apps, schema_editor):
    create_default_actions(apps.get_model("assessments", "ActionTemplate"))


class Migration(migrations.Migration):
    dependencies = [("assessments", "0004_improvement_plans")]

    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
