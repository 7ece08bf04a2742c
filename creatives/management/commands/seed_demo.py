"""Seed a demo shop on the embedded defaults: an admin login, a sandbox advertiser already
connected, products with pictures, and videos made by the real pipeline (script from the
LLM layer, rendered with captions and music). Safe to run again: it adds what is missing."""

import os
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import transaction

from campaigns.models import AdvertiserAccount
from creatives import media
from creatives.models import Product, VideoJob
from creatives.services import batch_create, product_create, video_job_run
from sandbox import services as sandbox

DEMO_PRODUCTS = [
    {
        "name": "便携榨汁杯",
        "title": "随时随地 30 秒鲜榨果汁",
        "selling_points": ["USB-C 充电，一次充电榨 15 杯", "6 叶不锈钢刀头", "380 ml 食品级杯身"],
        "price": Decimal("29.99"),
        "landing_url": "https://shop.example.com/products/portable-blender",
        "target_market": "MY",
        "language": "zh",
        "colors": [("0x2e86de", "0x10ac84"), ("0x54a0ff", "0x1dd1a1")],
    },
    {
        "name": "LED Sunset Lamp",
        "title": "Golden-hour light for every room",
        "selling_points": ["16 colours with one remote", "180° rotating head", "USB powered, 5 W"],
        "price": Decimal("19.90"),
        "landing_url": "https://shop.example.com/products/sunset-lamp",
        "target_market": "US",
        "language": "en",
        "colors": [("0xee5253", "0xff9f43"), ("0x5f27cd", "0xff6b6b")],
    },
]
VIDEOS_PER_PRODUCT = 2


def product_picture(path: Path, colors: tuple[str, str]) -> Path:
    """A square product shot stand-in: a two-colour gradient with a soft disc."""
    graph = (
        f"gradients=s=1080x1080:c0={colors[0]}:c1={colors[1]}:d=1,"
        "drawbox=x=290:y=290:w=500:h=500:color=white@0.35:t=fill,format=yuv420p"
    )
    subprocess.run(
        [media.ffmpeg_exe(), "-y", "-v", "error", "-f", "lavfi", "-i", graph, "-frames:v", "1", str(path)],
        check=True, timeout=60, capture_output=True,
    )
    return path


class Command(BaseCommand):
    help = "Create the admin login, a sandbox advertiser connected to adloop, demo products and their videos."

    def handle(self, *args, **options):
        username = os.environ.get("ADLOOP_ADMIN_USER", "admin")
        password = os.environ.get("ADLOOP_ADMIN_PASSWORD", "adloop-demo")
        user, _ = get_user_model().objects.get_or_create(username=username, defaults={"is_staff": True, "is_superuser": True})
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()

        advertiser = self._connect_sandbox_advertiser()
        for spec in DEMO_PRODUCTS:
            self._product_with_videos(spec)

        self.stdout.write(self.style.SUCCESS("Demo shop ready."))
        self.stdout.write(f"  advertiser: {advertiser} (TikTok sandbox at {settings.TIKTOK_ADS_BASE_URL})")
        self.stdout.write(f"  back office: {settings.SITE_URL}/admin/")
        self.stdout.write(f"  login: {username} / {password}")

    @transaction.atomic
    def _connect_sandbox_advertiser(self) -> AdvertiserAccount:
        app = sandbox.sandbox_default_setup()
        remote = app.advertisers.order_by("pk").first()
        token = sandbox.sandbox_token_issue(app=app, advertisers=[remote])
        account, _ = AdvertiserAccount.objects.update_or_create(
            advertiser_id=remote.advertiser_id,
            defaults={
                "name": remote.name,
                "currency": remote.currency,
                "timezone": remote.timezone,
                "access_token": token,
                "pixel_id": remote.pixel_id,
                "status": AdvertiserAccount.Status.CONNECTED,
                "last_error": "",
            },
        )
        return account

    def _product_with_videos(self, spec: dict) -> None:
        product = Product.objects.filter(name=spec["name"]).first()
        if product is None:
            with tempfile.TemporaryDirectory() as tmp:
                pictures = [product_picture(Path(tmp) / f"picture-{i}.png", colors) for i, colors in enumerate(spec["colors"])]
                handles = [open(path, "rb") for path in pictures]
                try:
                    fields = {k: v for k, v in spec.items() if k != "colors"}
                    product = product_create(**fields, images=[File(h, name=Path(h.name).name) for h in handles])
                finally:
                    for handle in handles:
                        handle.close()
        if product.jobs.filter(status=VideoJob.Status.DONE).exists():
            return
        for job in batch_create(product=product, count=VIDEOS_PER_PRODUCT, enqueue=False):
            self.stdout.write(f"  rendering {product.name} · {job.hook_type} …")
            job = video_job_run(job=job)
            if job.status != VideoJob.Status.DONE:
                self.stderr.write(f"  video job {job.job_id} failed: {job.error}")
