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
