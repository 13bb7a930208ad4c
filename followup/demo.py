"""The demo plant's follow-up (assessments.demo builds the plant and its cycles, and calls this in between)."""

import datetime as dt

from django.utils import timezone

from assessments.demo import Plant, date_steps
from assessments.models import CaseSubject, Cycle, TimelineEvent

from .models import ImprovementPlan, ProgressUpdate
from .services import feedback_record_talk, feedback_respond, plan_approve, plan_create, plan_submit, progress_post

# What a leader writes as an action moves on, by the action's title (the library's suggestions): each note says
# what was done for that action, not a sentence that fits any. (progress %, note)
PROGRESS_NOTES = {
    "制定个人理论学习计划": [
        (20, "全年学习计划已报党委组织部备案，1月、2月各完成两次专题学习，笔记两册。"),
        (45, "一季度学习体会已在班子会上交流；围绕安全生产新规开展专题学习一次。"),
        (60, "二季度专题学习四次，撰写《新能源转型背景下老油田稳产》学习心得一篇。"),
    ],
    "开展一次“理论联系实际”专题调研": [
        (30, "调研题目定为“低产井治理的成本管控”，已走访三个作业区，收集井史资料 40 余份。"),
        (70, "调研报告初稿完成（约 3500 字），提出分级治理等四条措施，待班子讨论。"),
    ],
    "牵头组织班子中心组学习": [
        (25, "一季度中心组学习已组织，本人作“依法合规经营”专题发言。"),
        (50, "二季度中心组学习结合安全生产月开展，形成三项管理改进举措。"),
    ],
    "参加专业能力提升培训": [
        (40, "已参加集团公司“采油工程管理”培训班（24 学时），剩余 16 学时安排在下季度。"),
        (80, "培训结业，考核合格；已在矿内组织一次培训成果分享会。"),
    ],
    "牵头一个攻关项目": [
        (20, "“注水井欠注治理”攻关小组已成立，明确 6 个节点和责任人。"),
        (45, "完成 12 口欠注井的分析，5 口已实施酸化措施，月度通报已发。"),
    ],
    "建立青年骨干培养机制": [
        (30, "确定三名青年骨干，一对一培养计划已签订。"),
        (55, "二季度跟踪一次，一名骨干已独立负责新井投产方案。"),
    ],
    "建立重点工作督办台账": [
        (40, "督办台账已建立，列入重点工作 14 项，每月 5 日前检查通报。"),
        (75, "14 项中 10 项按期完成，2 项延期已说明原因并调整节点。"),
    ],
    "作出一项服务职工承诺": [
        (35, "承诺“倒班职工通勤车准点率 98% 以上”已公示，建立每周通报。"),
        (70, "三个月通勤准点率 98.6%，职工意见由 11 条降为 2 条。"),
    ],
    "建立基层联系点": [
        (30, "联系点定在 3 号计量站，已蹲点两次，收集意见 9 条。"),
        (60, "9 条意见已办结 7 条，余下 2 条列入年度计划。"),
    ],
    "结对帮带一名同事": [(50, "与新任副矿长结对，已共同处理两起生产异常并复盘。")],
    "开展廉洁自律专题自查": [(60, "对照八项规定完成自查，报告已交纪委；无问题需整改。")],
}
FALLBACK_NOTES = [(30, "已按计划启动，完成第一个节点。"), (60, "第二个节点完成，进展与计划一致。")]

# Days after the cycle opened: the talk, the leader's response, the plan's drafting, submission and approval, and
# the months in which progress is posted.
FOLLOW_UP_DAYS = {
    "feedback_talk": 45,
    "feedback_response": 47,
    "plan_drafted": 50,
    "plan_submitted": 52,
    "plan_approved": 56,
    "plan_started": 95,
}
PROGRESS_DAYS = (95, 160, 230)


def last_cycle_follow_up(cycle: Cycle, plant: Plant, hr) -> None:
    """Last year's follow-up: the leader's talk is held and their plan is under way, posted on through the year;
    the weak deputy's plan waits for HR's approval. Everyone else can draft their own from "My results"."""
    subjects = {s.person_id: s for s in CaseSubject.objects.filter(case__cycle=cycle, kind=CaseSubject.Kind.MEMBER)}
    leader, weak = plant.seats["leader"], plant.seats["weak"]
    opened = cycle.opens_at or timezone.now()
    feedback_record_talk(
        subject=subjects[leader.pk],
        held_on=min(timezone.localdate(), (opened + dt.timedelta(days=FOLLOW_UP_DAYS["feedback_talk"])).date()),
        participants="组织部 王部长、人力资源部 李科长",
        notes="肯定了生产组织方面的成绩，指出理论学习系统性不足、联系基层不够经常。",
        actor=hr,
    )
    feedback_respond(subject=subjects[leader.pk], response="accept", actor=leader.user)
    plan = plan_create(subject=subjects[leader.pk], actor=leader.user)
    plan_submit(plan=plan, actor=leader.user)
    plan_approve(plan=plan, actor=hr)
    latest = timezone.now() - dt.timedelta(hours=2)
    for action in plan.actions.order_by("order", "id")[:3]:
        for (percent, note), days in zip(PROGRESS_NOTES.get(action.title, FALLBACK_NOTES), PROGRESS_DAYS, strict=False):
            when = min(latest, (opened + dt.timedelta(days=days + action.order)).replace(hour=16))
            if when <= opened:
                continue
            progress_post(action=action, actor=leader.user, note=note, progress=percent)
            posted = ProgressUpdate.objects.filter(action=action).latest("pk")
            ProgressUpdate.objects.filter(pk=posted.pk).update(created_at=when)
            _date_last(plan, "plan_progress", when)
    if weak.user is not None:
        weak_plan = plan_create(subject=subjects[weak.pk], actor=weak.user)
        plan_submit(plan=weak_plan, actor=weak.user)
    date_steps(cycle, FOLLOW_UP_DAYS)
    plan_date = min(latest, opened + dt.timedelta(days=FOLLOW_UP_DAYS["plan_drafted"]))
    ImprovementPlan.objects.filter(subject__case__cycle=cycle).update(created_at=plan_date)


def _date_last(plan: ImprovementPlan, action: str, when: dt.datetime) -> None:
    event = TimelineEvent.objects.filter(case=plan.subject.case, action=action).order_by("-pk").first()
    if event is not None:
        TimelineEvent.objects.filter(pk=event.pk).update(created_at=when)
