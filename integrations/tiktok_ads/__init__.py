"""TikTok Marketing API v1.3 client: `client` (HTTP seam), `endpoints` (one function per
call), `errors` (typed failures), `schemas` (validated answers)."""
