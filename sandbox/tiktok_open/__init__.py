"""The stand-in for TikTok's Login Kit, Content Posting (Direct Post) and Display APIs v2,
under /sandbox/tiktok-open/v2/. Posts feed the market's organic simulator (sandbox.market.organic)."""
