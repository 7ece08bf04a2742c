"""The sandbox's stand-in for Volcengine Ark's video generation API (Doubao Seedance),
served at /sandbox/ark/api/v3/, plus the signed-URL file host its videos are fetched from.

Tasks advance one step per poll and really render an MP4 with ffmpeg, so the production
client (integrations/seedance) runs end to end without network access or a bill.
"""
