"""Writes of the creatives app: products, and video jobs from script to rendered file."""

from .jobs import batch_create, variant_batch_create, video_job_retry, video_job_run
from .products import product_analysis_ensure, product_create, product_image_add

__all__ = [
    "batch_create",
    "product_analysis_ensure",
    "product_create",
    "product_image_add",
    "variant_batch_create",
    "video_job_retry",
    "video_job_run",
]
