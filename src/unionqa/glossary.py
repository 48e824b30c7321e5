"""Workers' words → the words of the documents.

Workers ask in plain, colloquial Chinese (社保, 辞退, 应届生, 老板) or in English; statutes and
notices say 社会保险, 解除劳动合同, 高校毕业生, 用人单位. Keyword search expands a question with
these equivalents, and the refusal gate counts a question term as covered when any equivalent
occurs in the evidence. Keep entries general (no answer content): a term and what documents call it.
"""

from __future__ import annotations

import re

COLLOQUIAL: dict[str, tuple[str, ...]] = {
    "社保": ("社会保险", "社会保险费", "养老保险"),
    "五险一金": ("社会保险", "住房公积金"),
    "医保": ("医疗保险",),
    "辞退": ("解除劳动合同", "解除"),
    "开除": ("解除劳动合同", "解除"),
    "炒鱿鱼": ("解除劳动合同",),
    "裁员": ("裁减人员", "经济性裁员"),
    "离职": ("解除劳动合同",),
    "辞职": ("解除劳动合同", "提前三十日"),
    "签合同": ("订立劳动合同", "书面劳动合同"),
    "合同": ("劳动合同",),
    "老板": ("用人单位",),
    "公司": ("用人单位", "企业"),
    "单位": ("用人单位",),
    "员工": ("劳动者", "职工"),
    "加班": ("延长工作时间",),
    "加班费": ("延长工作时间", "工资报酬"),
    "工资": ("劳动报酬", "工资"),
    "发工资": ("支付工资", "劳动报酬"),
    "欠薪": ("拖欠", "劳动报酬"),
    "拖欠工资": ("拖欠", "劳动报酬"),
    "赔偿": ("赔偿金", "经济补偿"),
    "补偿": ("经济补偿",),
    "n+1": ("经济补偿", "额外支付劳动者一个月工资"),
    "应届生": ("高校毕业生", "毕业年度"),
    "毕业生": ("高校毕业生",),
    "大学生": ("高校毕业生",),
    "补贴": ("补助", "补贴"),
    "补助": ("补助", "补贴"),
    "入职": ("用工", "录用"),
    "上班": ("工作时间",),
    "请假": ("休假",),
    "年假": ("年休假", "带薪年休假"),
    "产假": ("产假",),
    "怀孕": ("怀孕", "孕期"),
    "喂奶": ("哺乳",),
    "工伤": ("工伤", "工伤保险"),
    "打官司": ("诉讼", "仲裁"),
    "仲裁": ("劳动争议仲裁", "仲裁"),
    "投诉": ("投诉", "举报", "劳动保障监察"),
    "国企": ("国有企业",),
    "ai面试": ("ai面试", "人工智能"),
    "打分": ("评价",),
    "低分": ("打了低分", "评价"),
    "大数据": ("算法",),
    "人脸": ("人脸信息", "人脸识别"),
    "隐私": ("个人信息",),
    "工会会费": ("会费",),
    "举证": ("提供证据", "举证"),
    "双倍工资": ("二倍的工资", "二倍工资"),
    "签": ("订立", "签订"),
    "交社保": ("缴纳社会保险费", "社会保险"),
    "钱": ("资金", "工资", "元"),
    "时效": ("时效",),
    "最多": ("不得超过", "不超过", "最长"),
    "最长": ("不得超过", "最长"),
    "每天": ("每日",),
    "维权": ("维护自身权益", "救济", "权益"),
    "删掉": ("删除",),
    "声音": ("声纹", "语音"),
    "赔": ("赔偿", "赔偿金"),
}

ENGLISH: dict[str, tuple[str, ...]] = {
    "subsidy": ("补助", "补贴"),
    "subsidies": ("补助", "补贴"),
    "graduate": ("高校毕业生",),
    "graduates": ("高校毕业生",),
    "hire": ("招聘", "录用"),
    "hiring": ("招聘",),
    "recruitment": ("招聘",),
    "recruit": ("招聘",),
    "company": ("企业", "用人单位"),
    "employer": ("用人单位",),
    "employers": ("用人单位",),
    "employee": ("劳动者", "职工"),
    "worker": ("劳动者", "职工"),
    "workers": ("劳动者", "职工"),
    "contract": ("劳动合同",),
    "probation": ("试用期",),
    "probationary": ("试用期",),
    "fire": ("解除劳动合同",),
    "fired": ("解除劳动合同",),
    "dismiss": ("解除劳动合同",),
    "dismissal": ("解除劳动合同",),
    "terminate": ("解除",),
    "termination": ("解除", "终止"),
    "pregnant": ("怀孕",),
    "pregnancy": ("怀孕", "孕期"),
    "maternity": ("产假", "生育"),
    "overtime": ("延长工作时间",),
    "wage": ("工资",),
    "wages": ("工资",),
    "salary": ("工资",),
    "minimum": ("最低",),
    "compensation": ("经济补偿", "赔偿"),
    "severance": ("经济补偿",),
    "insurance": ("保险",),
    "social": ("社会",),
    "pension": ("养老保险",),
    "unemployment": ("失业",),
    "arbitration": ("仲裁",),
    "dispute": ("争议",),
    "union": ("工会",),
    "unions": ("工会",),
    "algorithm": ("算法",),
    "algorithms": ("算法",),
    "interview": ("面试",),
    "interviews": ("面试",),
    "ai": ("ai", "人工智能"),
    "score": ("打了低分", "评价"),
    "explain": ("解释",),
    "explanation": ("解释",),
    "discrimination": ("歧视",),
    "personal": ("个人",),
    "information": ("信息",),
    "data": ("信息",),
    "face": ("人脸",),
    "voice": ("声纹", "语音"),
    "delete": ("删除",),
    "privacy": ("个人信息",),
    "amount": ("标准",),
    "much": (),
    "expire": ("执行至",),
    "deadline": ("执行至",),
    "state-owned": ("国有企业",),
    "women": ("女工", "妇女"),
    "female": ("女职工", "女工"),
    "conference": ("会议",),
    "innovation": ("创新",),
    "skills": ("技能",),
    "training": ("培训",),
    "hours": ("工作时间",),
    "leave": ("休假",),
    "annual": ("年休假",),
    "longest": ("最长", "不得超过"),
    "maximum": ("最长", "不得超过", "不超过"),
    "period": ("期限",),
}

_WORD = re.compile(r"[a-z][a-z-]+")


def equivalents(term: str) -> tuple[str, ...]:
    """The term itself and what documents call it."""
    t = term.lower()
    return (t, *COLLOQUIAL.get(t, ()), *ENGLISH.get(t, ()))


def expand(text: str) -> str:
    """Append document wording for colloquial and English terms found in ``text``."""
    low = text.lower()
    extra = [alt for word, alts in COLLOQUIAL.items() if word in low for alt in alts]
    extra += [alt for w in _WORD.findall(low) for alt in ENGLISH.get(w, ())]
    return text if not extra else text + " " + " ".join(dict.fromkeys(extra))
