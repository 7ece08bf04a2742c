"""The ad-market simulator: what each delivering sandbox ad gets on each simulated day.

adloop never imports it; it sees the market only through the sandbox's TikTok API (reports
read SbDailyStat) and through adloop.clock, which follows the market's date.

    clock.py        market_now(), market_today(), market_reset(start=, seed=)
    params.py       MarketParams, market_params(), market_configure(**params)
    quality.py      register_creative(), features_from_script(), creative_truth()
    bidding.py      objective / goal / bid → CPM, audience and throttling
    engine.py       market_advance_day() → DayResult, market_advance(days=)
    attribution.py  late conversions restating earlier days
    organic.py      track A accounts and posts: organic_post_register(), organic_daily()
"""
