"""Rule tables of the offline writer, in English and Chinese. Placeholders: {product}, {point},
{pain}, {setting}, {price}, {n}, {i}. Each list offers variants the variation seed picks from."""

from __future__ import annotations

from creatives.script import CtaType, HookType

# (keywords, {lang: (audience, pain, setting)}); the first category with the most keyword hits wins.
CATEGORIES: list[tuple[tuple[str, ...], dict[str, tuple[str, str, str]]]] = [
    (("blender", "juice", "kitchen", "cook", "pan", "knife", "coffee", "bottle", "榨汁", "厨房", "锅", "刀", "咖啡", "水杯"), {
        "en": ("Busy home cooks and health-conscious people", "slow, messy prep in the kitchen", "on a bright kitchen counter"),
        "zh": ("忙碌的上班族和注重健康饮食的人", "做饭又慢又麻烦", "明亮的厨房台面"),
    }),
    (("skin", "serum", "cream", "makeup", "lipstick", "hair", "face", "beauty", "护肤", "精华", "面霜", "彩妆", "口红", "头发", "美容"), {
        "en": ("Women 18–40 who care about skincare and beauty", "dull skin and products that don't work", "at a vanity table in soft light"),
        "zh": ("注重护肤和美妆的 18–40 岁女性", "皮肤暗沉、护肤品没效果", "柔光下的梳妆台"),
    }),
    (("fitness", "gym", "yoga", "workout", "sport", "running", "健身", "瑜伽", "运动", "跑步"), {
        "en": ("Active people who train at home or at the gym", "workouts that feel like a chore", "in a home workout corner"),
        "zh": ("在家或健身房锻炼的运动爱好者", "运动总是坚持不下去", "居家健身角"),
    }),
    (("dog", "cat", "pet", "puppy", "宠物", "狗", "猫"), {
        "en": ("Pet owners who treat their pets like family", "pet hair and mess everywhere", "in a cozy living room with a pet"),
        "zh": ("把宠物当家人的铲屎官", "宠物毛发和脏乱", "有宠物的温馨客厅"),
    }),
    (("baby", "kid", "toddler", "child", "toy", "宝宝", "婴儿", "儿童", "玩具"), {
        "en": ("Parents of young children", "hectic days with little ones", "in a playful nursery"),
        "zh": ("有小孩的年轻父母", "带娃手忙脚乱", "温馨的儿童房"),
    }),
    (("usb", "charg", "phone", "bluetooth", "wireless", "earbud", "cable", "led", "smart", "充电", "手机", "蓝牙", "无线", "耳机", "智能"), {
        "en": ("Gadget lovers who want tech that just works", "dead batteries and tangled cables", "on a clean desk"),
        "zh": ("追求便利的数码爱好者", "电量焦虑和乱成一团的线", "整洁的桌面"),
    }),
    (("clean", "mop", "vacuum", "storage", "organizer", "home", "清洁", "拖把", "吸尘", "收纳", "家居"), {
        "en": ("Homeowners who want a tidy home with less effort", "cleaning that takes forever", "in a tidy living room"),
        "zh": ("想轻松保持家里整洁的人", "打扫费时又费力", "整洁的客厅"),
    }),
    (("dress", "shirt", "jacket", "bag", "shoe", "jewel", "watch", "连衣裙", "衬衫", "外套", "包", "鞋", "首饰", "手表"), {
        "en": ("Style-conscious shoppers who like to stand out", "outfits that feel boring", "on a sunny city street"),
        "zh": ("追求时尚、想穿出个性的人", "每天穿搭没新意", "阳光下的街头"),
    }),
    (("camp", "outdoor", "hiking", "travel", "露营", "户外", "徒步", "旅行"), {
        "en": ("Travellers and outdoor lovers", "bulky gear that slows you down", "at a campsite at golden hour"),
        "zh": ("热爱旅行和户外的人", "装备笨重又不方便", "黄昏时的露营地"),
    }),
]
DEFAULT_CATEGORY = {
    "en": ("Online shoppers looking for practical everyday products", "everyday hassles", "in a bright, modern home"),
    "zh": ("追求实用好物的网购人群", "生活中的各种小麻烦", "明亮的居家场景"),
}
# Concrete, benefit-led claims sell better than vague ones: these words lift a point in the ranking.
BENEFIT_WORDS = (
    "fast", "quick", "easy", "portable", "waterproof", "wireless", "rechargeable", "lightweight", "durable", "safe",
    "quiet", "powerful", "long", "natural", "save", "free", "快", "轻", "便携", "防水", "无线", "充电", "耐用", "安全",
    "静音", "强", "持久", "天然", "省", "免",
)
FILLER_POINTS = {"en": ["Easy to use every day", "Makes a great gift"], "zh": ["日常使用超方便", "送礼也很合适"]}
ONLY_PRICE = {"en": "Only {price}", "zh": "仅需{price}"}
# Rough rates, only to put a price into a tier; tiers are in USD.
USD_RATES = {"USD": 1.0, "EUR": 1.1, "GBP": 1.25, "JPY": 0.0067, "CNY": 0.14, "CAD": 0.73, "AUD": 0.66, "SGD": 0.74}
TIERS = ((20, "budget"), (80, "mid"), (float("inf"), "premium"))
TIER_AUDIENCE = {
    "en": {"budget": "{segment} in {market} who love a good deal", "mid": "{segment} in {market}",
           "premium": "{segment} in {market} who pay for quality"},
    "zh": {"budget": "{market}{segment}，偏爱高性价比好物", "mid": "{market}{segment}", "premium": "{market}{segment}，愿意为品质买单"},
}
TIER_ANGLE = {
    "en": {"budget": "Affordable upgrade: {point} for just {price}", "mid": "Problem → solution: the {product} ends {pain}, with {point}",
           "premium": "Premium quality that is worth it: {point}"},
    "zh": {"budget": "平价升级：{price} 就能拥有{point}", "mid": "痛点→解决：{product}告别{pain}，{point}", "premium": "品质之选：{point}，物有所值"},
}

HOOKS = {
    "en": {
        HookType.PAIN_POINT: ["Tired of {pain}?", "Still putting up with {pain}?", "Sick of {pain}? Watch this."],
        HookType.NUMBER: ["{n} reasons you need the {product}", "{n} things the {product} does better", "{n} reasons the {product} is worth it"],
        HookType.SUSPENSE: ["You won't believe what the {product} can do", "Wait until you see the {product} in action",
                            "Nobody told me about the {product} until now"],
        HookType.CONTRAST: ["Before vs after the {product}", "Without the {product} vs with it", "Before: {pain}. After: the {product}."],
    },
    "zh": {
        HookType.PAIN_POINT: ["还在为{pain}烦恼？", "受够了{pain}？", "是不是总被{pain}困扰？"],
        HookType.NUMBER: ["{n} 个理由，让你爱上{product}", "{product}的 {n} 个过人之处", "买{product}之前，先看这 {n} 点"],
        HookType.SUSPENSE: ["你绝对想不到{product}能做到这些", "看到最后，你一定会想要{product}", "很多人都不知道{product}还能这样用"],
        HookType.CONTRAST: ["用之前 vs 用之后：{product}", "没有{product} vs 有了{product}", "之前：{pain}；之后：{product}轻松搞定"],
    },
}
HOOK_VISUALS = {
    "en": {
        HookType.PAIN_POINT: "A frustrated person dealing with {pain} {setting}",
        HookType.NUMBER: "A big on-screen number {n} over a close-up of the {product}",
        HookType.SUSPENSE: "Quick teaser shots of the {product}, covered, then partly revealed",
        HookType.CONTRAST: "Split screen: the old way on the left, the {product} on the right",
    },
    "zh": {
        HookType.PAIN_POINT: "在{setting}，有人正被{pain}困扰，一脸烦躁",
        HookType.NUMBER: "{product}特写，屏幕上一个大大的数字 {n}",
        HookType.SUSPENSE: "快速闪现被遮住的{product}，只露出一角",
        HookType.CONTRAST: "分屏对比：左边是以前的做法，右边是{product}",
    },
}
POINT_VISUAL = {"en": "Close-up of the {product} {setting}, showing: {point}", "zh": "在{setting}特写{product}，展示：{point}"}
POINT_CAPTION = {"en": "✓ {point}", "zh": "✔ {point}"}
NUMBERED_CAPTION = {"en": "{i}. {point}", "zh": "理由{i}：{point}"}
CONNECTORS = {
    "en": [["First, {point}.", "Plus, {point}.", "And {point}.", "On top of that, {point}."],
           ["It starts with {point}.", "Then there's {point}.", "Also, {point}.", "Best of all, {point}."]],
    "zh": [["首先，{point}。", "而且，{point}。", "还有，{point}。", "更棒的是，{point}。"],
           ["第一，{point}。", "再来，{point}。", "另外，{point}。", "最重要的是，{point}。"]],
}
# Scenes beyond the selling points show the product in use rather than repeat a point.
DEMOS = {
    "en": [("The {product} in use {setting}", "See it in action", "Watch how easy it is with the {product}."),
           ("Hands using the {product}, close and slow", "This is how it works", "Here is the {product} doing its thing."),
           ("A happy customer with the {product} {setting}", "The result", "And this is the result.")],
    "zh": [("{setting}实际使用{product}的画面", "看看实际效果", "用{product}，就是这么简单。"),
           ("手部特写，慢慢演示{product}的用法", "原来是这样用的", "来看看{product}是怎么用的。"),
           ("{setting}，用户满意地使用{product}", "效果看得见", "效果就是这样。")],
}
CTA_VISUAL = {"en": "Hero shot of the {product} with the price {price} and a Shop button",
              "zh": "{product}主图，显示价格 {price} 和购买按钮"}
CTAS = {
    "en": {
        CtaType.SHOP_NOW: ["Shop now, only {price}", "Get yours today for {price}", "Tap Shop Now, just {price}"],
        CtaType.LIMITED_OFFER: ["Limited stock, grab yours today", "Don't wait, this offer won't last", "Order today while stock lasts"],
        CtaType.SOCIAL_PROOF: ["See why shoppers love it", "Join the buyers who already switched", "Find out why it's trending"],
        CtaType.LEARN_MORE: ["Tap to learn more", "Tap to see all the details", "Find out more on our page"],
    },
    "zh": {
        CtaType.SHOP_NOW: ["立即抢购，仅需{price}", "{price}带回家，马上下单", "点击购买，只要{price}"],
        CtaType.LIMITED_OFFER: ["限时优惠，手慢无", "库存有限，今天就下单", "优惠不等人，赶紧抢"],
        CtaType.SOCIAL_PROOF: ["看看买家怎么说", "跟着大家一起入手", "看看它为什么这么火"],
        CtaType.LEARN_MORE: ["点击了解更多", "点击查看详情", "想知道更多？点这里"],
    },
}
CTA_VOICEOVER = {"en": "The {product}. {cta}!", "zh": "{product}，{cta}！"}
AD_TEXT = {"en": "{product}: {point}. {cta}", "zh": "{product}｜{point}，{cta}"}
HASHTAGS = {"en": ["#tiktokmademebuyit", "#musthave"], "zh": ["#好物推荐", "#必买清单"]}

# --- Breaking a winning script down (PRD 14.2) and rewording it into variants (PRD 14.3) ------
# Markers in a hook's text, by hook type: (weight, pattern). Structure (a comparison, a counted
# list) outweighs vocabulary, and a question mark leans towards a pain point.
HOOK_MARKERS: dict[HookType, list[tuple[int, str]]] = {
    HookType.CONTRAST: [
        (3, r"\bvs\.?(?=\W|$)|\bversus\b|对比"),
        (3, r"\bbefore\b.*\bafter\b|\bwithout\b.*\bwith\b|\bold way\b|\binstead of\b"),
        (3, r"之前.*之后|以前.*现在|没有.*有了|用前.*用后"),
    ],
    HookType.NUMBER: [
        (3, r"\b\d+\s+(reasons?|things?|ways?|tips?|secrets?|seconds?|minutes?|steps?|hacks?|features?|points?)\b"),
        (3, r"\b(two|three|four|five|six|seven)\s+(reasons|things|ways|tips|secrets|steps|hacks)\b"),
        (3, r"\d+\s*(个|点|种|秒|分钟|步|招|大)|[一二三四五六七八九十两]\s*(个理由|个原因|个技巧|点|招|步)"),
    ],
    HookType.PAIN_POINT: [
        (2, r"\btired of\b|\bsick of\b|\bfed up\b|\bputting up with\b|\bstruggl\w*|\bhate\b|\bannoy\w*|\bfrustrat\w*"),
        (2, r"还在|烦恼|受够|困扰|头疼|发愁|麻烦"),
        (1, r"[?？]"),
    ],
    HookType.SUSPENSE: [
        (2, r"\bwon'?t believe\b|\bwait (until|till)\b|\bwatch (this|what|until)\b|\bnobody told\b|\bsecret\b|\bguess\b|\bwhat happens\b"),
        (2, r"想不到|看到最后|不知道|竟然|居然|秘密|猜猜"),
    ],
}
# When two types score the same and the script's own label is not among them.
HOOK_PRECEDENCE = [HookType.CONTRAST, HookType.NUMBER, HookType.PAIN_POINT, HookType.SUSPENSE]
HOOK_REASON = {
    "en": {"marker": "the hook text says “{marker}”", "declared": "no marker in the hook text; the script's own label"},
    "zh": {"marker": "开头文案含“{marker}”", "declared": "开头文案没有明显特征，沿用脚本自身的标注"},
}
HOOK_PURPOSE = {
    "en": {
        HookType.PAIN_POINT: "Name the viewer's problem, as a question",
        HookType.NUMBER: "Promise a concrete number of reasons",
        HookType.SUSPENSE: "Tease the reveal so the viewer stays",
        HookType.CONTRAST: "Show the old way against the product",
    },
    "zh": {
        HookType.PAIN_POINT: "用提问点出观众的烦恼",
        HookType.NUMBER: "用具体数字承诺几个理由",
        HookType.SUSPENSE: "制造悬念，让观众看下去",
        HookType.CONTRAST: "用前后对比突出商品",
    },
}
# More openings of each type, so 3–5 variants never repeat the winner's or each other's hook.
VARIANT_HOOKS = {
    "en": {
        HookType.PAIN_POINT: ["Is {pain} ruining your day?", "Why put up with {pain}?", "Done with {pain}?",
                              "Still dealing with {pain}? There's a fix."],
        HookType.NUMBER: ["{n} reasons everyone wants the {product}", "{n} ways the {product} makes life easier",
                          "The {product} in {n} reasons", "{n} things I love about the {product}"],
        HookType.SUSPENSE: ["Watch what happens with the {product}", "I didn't expect this from the {product}",
                            "Guess what the {product} can do", "The secret behind the {product}"],
        HookType.CONTRAST: ["The old way vs the {product}", "Before the {product} vs after it",
                            "{pain}? Before. The {product}? After.", "Without the {product} vs with the {product}"],
    },
    "zh": {
        HookType.PAIN_POINT: ["{pain}，是不是很头疼？", "为什么还要忍受{pain}？", "每天都被{pain}折磨？", "{pain}？有办法了"],
        HookType.NUMBER: ["{product}的 {n} 个理由，看完就懂", "{n} 个理由告诉你{product}值不值", "{n} 点说清{product}好在哪",
                          "我爱{product}的 {n} 个原因"],
        HookType.SUSPENSE: ["猜猜{product}能做什么", "{product}竟然还能这样", "{product}的秘密，看到最后", "没想到{product}居然这么好用"],
        HookType.CONTRAST: ["以前 vs 现在：{product}", "用{product}之前 vs 之后", "没有{product} vs 有了{product}，差别太大",
                            "对比一下就知道{product}多好用"],
    },
}
# Leading ordinal words of a scene's voice-over, re-said in a reordered variant's new order.
POINT_MARKER = r"^(?:[✓✔•·\-–*]\s*|#?\d+[.)、:：]\s*|理由\s*\d+\s*[：:]\s*|第[一二三四五六七八九十]+[，,：:]?\s*)"
URGENCY_WORDS = ("today", "now", "limited", "last", "hurry", "won't last", "stock", "限时", "手慢无", "库存", "今天", "赶紧", "不等人")
PROOF_WORDS = ("love", "shoppers", "buyers", "trending", "reviews", "everyone", "买家", "大家", "火", "好评")
LEARN_WORDS = ("learn", "details", "find out", "see more", "了解", "详情", "更多")
BUY_WORDS = ("shop", "buy", "order", "get yours", "grab", "购买", "下单", "抢购", "带回家")
CTA_LABEL = {
    "en": {CtaType.SHOP_NOW: "direct “shop now”", CtaType.LIMITED_OFFER: "urgency (limited offer)",
           CtaType.SOCIAL_PROOF: "social proof", CtaType.LEARN_MORE: "soft “learn more”"},
    "zh": {CtaType.SHOP_NOW: "直接引导购买", CtaType.LIMITED_OFFER: "限时紧迫感", CtaType.SOCIAL_PROOF: "口碑背书",
           CtaType.LEARN_MORE: "软性引导了解"},
}
CTA_WITH = {"en": {"price": "with the price as anchor", "urgency": "with urgency"}, "zh": {"price": "以价格为锚点", "urgency": "带紧迫感"}}
LOGIC = {
    "en": {
        "number": "leads with a hard number (“{point}”)", "benefit": "leads with a benefit (“{point}”)", "plain": "leads with “{point}”",
        "ranked": "keeps the seller's ranking, strongest point first", "reordered": "reorders the seller's points",
        "one_each": "one point per scene", "listed": "all {n} points listed in one scene", "demo": "then shows the product in use",
        "price": "closes on the price", "cta": "closes on the call to action",
        "none": "no explicit selling point: the scenes show the product",
        "opens": "Opens with the hook ({hook})",
    },
    "zh": {
        "number": "以具体数字开场（“{point}”）", "benefit": "以利益点开场（“{point}”）", "plain": "以“{point}”开场",
        "ranked": "沿用卖家的卖点排序，最强的在前", "reordered": "调整了卖家的卖点顺序",
        "one_each": "每个分镜讲一个卖点", "listed": "一个分镜列出全部 {n} 个卖点", "demo": "随后展示实际使用",
        "price": "以价格收尾", "cta": "以行动号召收尾", "none": "没有明确卖点，分镜直接展示商品", "opens": "先用开头钩子（{hook}）",
    },
}
PACING = {
    "en": {"fast": "fast hook", "slow": "slow hook", "even": "even {m} s scenes", "varied": "scenes of {lo}–{hi} s",
           "total": "{total} s in all", "hook": "{kind} ({h} s, {pct} % of the video)"},
    "zh": {"fast": "快节奏开头", "slow": "慢节奏开头", "even": "中段每镜约 {m} 秒", "varied": "中段每镜 {lo}–{hi} 秒",
           "total": "共 {total} 秒", "hook": "{kind}（{h} 秒，占 {pct}%）"},
}
SLOT_PURPOSE = {
    "en": {"selling_point": "Selling point {i}: show one concrete benefit close up", "demo": "Show the product in use",
           "cta": "Call to action ({cta}): tell the viewer what to do next"},
    "zh": {"selling_point": "卖点 {i}：特写展示一个具体利益点", "demo": "展示实际使用效果", "cta": "行动号召（{cta}）：告诉观众下一步做什么"},
}
