"""The default framework of DESIGN.md §1, as data: used by the data migration and by tests."""

DEFAULT_FRAMEWORK = {
    "code": "leadership",
    "name": "领导班子及成员综合考评指标体系",
    "name_en": "Leadership team and member assessment framework",
    "dimensions": [
        {
            "code": "theory",
            "name": "理论素养",
            "name_en": "Theory literacy",
            "indicators": [
                {
                    "code": "theory_study",
                    "name": "政治理论学习",
                    "name_en": "Study of theory and policy",
                    "description": "系统学习党的理论和路线方针政策，学习有计划、有笔记、有体会。",
                    "description_en": "Studies the Party's theory, line and policies systematically, with a plan, notes and reflections.",
                    "rubric": {
                        "excellent": (
                            "学习系统深入，能准确阐释政策要义并指导实践。",
                            "Studies in depth and explains the essence of policy accurately enough to guide practice.",
                        ),
                        "good": (
                            "按计划参加学习，理解较为准确。",
                            "Follows the study plan and understands policy fairly accurately.",
                        ),
                        "fair": (
                            "参加学习但不够系统，理解停留在表面。",
                            "Attends study sessions, but unsystematically and superficially.",
                        ),
                        "poor": ("学习敷衍，对政策理解不清。", "Studies perfunctorily; unclear on policy."),
                    },
                },
                {
                    "code": "theory_practice",
                    "name": "理论联系实际",
                    "name_en": "Applying theory to decisions",
                    "description": "运用理论分析和解决本单位改革发展中的实际问题，决策有依据。",
                    "description_en": "Uses theory to analyse and solve the unit's real problems; decisions are well-founded.",
                    "rubric": {
                        "excellent": (
                            "善于用理论指导决策，成效显著。",
                            "Consistently grounds decisions in theory, with clear results.",
                        ),
                        "good": ("能结合实际运用理论，效果较好。", "Applies theory to practice with good effect."),
                        "fair": ("理论与实际结合不够紧密。", "Links theory and practice only loosely."),
                        "poor": ("理论与实际脱节。", "Theory and practice are disconnected."),
                    },
                },
                {
                    "code": "theory_lead",
                    "name": "带头学习",
                    "name_en": "Leading the team's learning",
                    "description": "带头开展班子学习，更新管理理念，营造学习氛围。",
                    "description_en": "Leads the team's learning, renews management ideas and builds a learning culture.",
                    "rubric": {
                        "excellent": (
                            "示范带动作用突出，班子学习氛围浓厚。",
                            "An outstanding example; the team learns eagerly.",
                        ),
                        "good": ("能带头学习，组织较为有效。", "Leads learning and organises it fairly well."),
                        "fair": ("带头作用一般。", "Sets an average example."),
                        "poor": ("不重视学习，带头作用缺失。", "Neglects learning; sets no example."),
                    },
                },
            ],
        },
        {
            "code": "professional",
            "name": "专业能力",
            "name_en": "Professional ability",
            "indicators": [
                {
                    "code": "prof_knowledge",
                    "name": "业务知识",
                    "name_en": "Domain and technical knowledge",
                    "description": "熟悉油气生产、经营管理等分管领域的业务和技术。",
                    "description_en": "Knows the business and technology of the fields in charge (production, operations, management).",
                    "rubric": {
                        "excellent": (
                            "业务精通，是分管领域的行家里手。",
                            "A recognised expert in the fields in charge.",
                        ),
                        "good": ("业务熟悉，能胜任分管工作。", "Knows the business well and handles it competently."),
                        "fair": ("业务知识有欠缺。", "Has gaps in domain knowledge."),
                        "poor": ("业务生疏，难以胜任。", "Unfamiliar with the business; struggles to cope."),
                    },
                },
                {
                    "code": "prof_execution",
                    "name": "决策执行",
                    "name_en": "Decision-making and execution",
                    "description": "科学民主决策，执行上级部署坚决有力、落实到位。",
                    "description_en": "Decides soundly and democratically; carries out instructions firmly and completely.",
                    "rubric": {
                        "excellent": (
                            "决策科学，执行坚决，任务完成出色。",
                            "Sound decisions, firm execution, excellent delivery.",
                        ),
                        "good": ("决策较为合理，执行到位。", "Reasonable decisions, delivered as planned."),
                        "fair": ("决策执行偶有偏差或拖延。", "Occasional errors or delays in deciding and executing."),
                        "poor": ("决策随意，执行不力。", "Arbitrary decisions and weak execution."),
                    },
                },
                {
                    "code": "prof_problems",
                    "name": "解决难题",
                    "name_en": "Solving hard problems, innovation",
                    "description": "面对复杂问题敢于攻坚，善于创新方法、破解难题。",
                    "description_en": "Tackles complex problems head-on and finds new ways to solve them.",
                    "rubric": {
                        "excellent": (
                            "攻坚克难成效突出，创新成果明显。",
                            "Outstanding at breaking through hard problems; visible innovations.",
                        ),
                        "good": ("能解决工作中的主要难题。", "Solves the main problems at work."),
                        "fair": ("解决难题办法不多。", "Has few ways of solving hard problems."),
                        "poor": ("回避矛盾和难题。", "Avoids problems and conflicts."),
                    },
                },
                {
                    "code": "prof_people",
                    "name": "队伍建设",
                    "name_en": "Developing people and successors",
                    "description": "重视人才培养和后备力量建设，队伍结构合理、士气高。",
                    "description_en": "Develops people and successors; the workforce is well structured and motivated.",
                    "rubric": {
                        "excellent": (
                            "人才培养成效显著，后备力量充足。",
                            "Remarkable development of people; a strong bench of successors.",
                        ),
                        "good": ("重视培养，队伍稳定。", "Invests in people; the team is stable."),
                        "fair": ("培养措施不多，后备不足。", "Few development measures; thin bench."),
                        "poor": ("忽视队伍建设。", "Neglects developing people."),
                    },
                },
            ],
        },
        {
            "code": "responsibility",
            "name": "责任意识",
            "name_en": "Responsibility",
            "indicators": [
                {
                    "code": "resp_ownership",
                    "name": "担当作为",
                    "name_en": "Ownership",
                    "description": "敢于担当，坚决维护企业和职工利益，关键时刻站得出来。",
                    "description_en": "Takes ownership, stands firm for the enterprise's and employees' interests, steps up when it matters.",
                    "rubric": {
                        "excellent": (
                            "敢于担当，关键时刻冲锋在前。",
                            "Takes ownership and leads from the front at critical moments.",
                        ),
                        "good": ("能够履职担当。", "Takes responsibility as expected."),
                        "fair": ("遇事有时推诿。", "Sometimes passes the buck."),
                        "poor": ("回避责任。", "Avoids responsibility."),
                    },
                },
                {
                    "code": "resp_duty",
                    "name": "履职尽责",
                    "name_en": "Delivering on duties",
                    "description": "认真履行岗位职责，完成年度目标任务。",
                    "description_en": "Carries out the duties of the post and meets the year's targets.",
                    "rubric": {
                        "excellent": ("超额完成目标任务。", "Exceeds the year's targets."),
                        "good": ("全面完成目标任务。", "Meets all targets."),
                        "fair": ("基本完成目标任务。", "Meets most targets."),
                        "poor": ("未完成主要目标任务。", "Misses the main targets."),
                    },
                },
                {
                    "code": "resp_service",
                    "name": "服务职工",
                    "name_en": "Serving employees",
                    "description": "关心职工，倾听诉求，为基层办实事。",
                    "description_en": "Cares for employees, listens to them, gets real things done for the front line.",
                    "rubric": {
                        "excellent": (
                            "深入基层，职工认可度高。",
                            "Close to the front line; highly regarded by employees.",
                        ),
                        "good": ("能够关心职工、解决问题。", "Cares for employees and solves their problems."),
                        "fair": ("联系职工不够。", "Not close enough to employees."),
                        "poor": ("漠视职工诉求。", "Ignores employees' concerns."),
                    },
                },
                {
                    "code": "resp_integrity",
                    "name": "廉洁自律",
                    "name_en": "Integrity",
                    "description": "遵守廉洁从业规定，严于律己，管好身边人。",
                    "description_en": "Keeps the integrity rules, is strict with self and with those nearby.",
                    "rubric": {
                        "excellent": ("廉洁自律，堪称表率。", "Exemplary integrity."),
                        "good": ("遵守各项规定。", "Keeps the rules."),
                        "fair": ("偶有不够严格之处。", "Occasionally not strict enough."),
                        "poor": ("存在违规问题。", "Has broken the rules."),
                    },
                },
            ],
        },
    ],
}


def create_default_framework(framework_model, dimension_model, indicator_model):
    """Create the default framework with the given model classes (historical ones in a migration)."""
    spec = DEFAULT_FRAMEWORK
    framework, created = framework_model.objects.get_or_create(
        code=spec["code"], version=1, defaults={"name": spec["name"], "name_en": spec["name_en"]}
    )
    if not created:
        return framework
    for d_order, dim in enumerate(spec["dimensions"]):
        dimension = dimension_model.objects.create(
            framework=framework, code=dim["code"], name=dim["name"], name_en=dim["name_en"], order=d_order
        )
        for i_order, ind in enumerate(dim["indicators"]):
            indicator_model.objects.create(
                dimension=dimension,
                code=ind["code"],
                name=ind["name"],
                name_en=ind["name_en"],
                description=ind["description"],
                description_en=ind["description_en"],
                order=i_order,
                rubric={level: {"zh": zh, "en": en} for level, (zh, en) in ind["rubric"].items()},
            )
    return framework
