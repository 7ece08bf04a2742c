"""Volcengine Ark's Doubao Seedance video generation: `client` (HTTP seam and one method per
call), `params` (the request's `content`, validated before sending), `errors` (typed
failures), `schemas` (validated answers). Django-free: callers pass settings in."""
