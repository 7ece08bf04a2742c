"""Seed a demo shop on the embedded defaults: an admin login, a sandbox advertiser already
connected, products and a few short real MP4s. Safe to run again: it adds what is missing."""

import os
import uuid
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.management.base import BaseCommand
from django.db import transaction

from campaigns.models import AdvertiserAccount
from creatives import media
from creatives.models import Product, VideoJob
from sandbox import services as sandbox

DEMO_PRODUCTS = [
    {
        "name": "便携榨汁杯 Portable Blender",
        "title": "Fresh juice anywhere in 30 seconds",
        "selling_points": ["USB-C rechargeable", "6 stainless blades", "BPA-free 380 ml cup"],
        "price": Decimal("29.99"),
        "landing_url": "https://shop.example.com/products/portable-blender",
        "colors": ["0x2e86de", "0x10ac84"],
    },
    {
        "name": "LED Sunset Lamp 日落灯",
        "title": "Golden-hour light for every room",
        "selling_points": ["16 colours", "180° rotation", "remote control"],
        "price": Decimal("19.90"),
        "landing_url": "https://shop.example.com/products/sunset-lamp",
        "colors": ["0xee5253", "0xff9f43"],
    },
]


def demo_script(product: Product) -> dict:
    points = product.selling_points
    return {
        "language": product.language,
        "hook": {"type": "pain_point", "text": f"Still struggling without {product.name.split(' ')[0]}?"},
        "scenes": [{"duration_s": 1.5, "visual": "product close-up", "caption": point, "voiceover": point} for point in points],
        "cta": {"type": "shop_now", "text": "Tap Shop Now"},
        "ad_text": product.title[:100],
    }


class Command(BaseCommand):
    help = "Create the admin login, a sandbox advertiser connected to adloop, demo products and demo videos."

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
        fields = {k: v for k, v in spec.items() if k != "colors"}
        product, _ = Product.objects.get_or_create(name=spec["name"], defaults=fields)
        if product.jobs.filter(status=VideoJob.Status.DONE).exists():
            return
        tmp = settings.MEDIA_ROOT / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        batch_id = f"demo-{uuid.uuid4().hex[:8]}"
        for index, color in enumerate(spec["colors"]):
            path = media.render_demo_video(path=tmp / f"{batch_id}-{index}.mp4", duration_s=3.0, color=color, tone_hz=330 + 110 * index)
            cover = media.render_cover(video=path, path=tmp / f"{batch_id}-{index}.jpg")
            info = media.probe(path)
            job = VideoJob(
                product=product, batch_id=batch_id, script=demo_script(product), status=VideoJob.Status.DONE,
                progress=100, duration_s=info["duration_s"], backend=VideoJob.Backend.FFMPEG, language=product.language,
            )
            with open(path, "rb") as video_file, open(cover, "rb") as cover_file:
                job.video.save(path.name, File(video_file), save=False)
                job.cover.save(cover.name, File(cover_file), save=False)
            job.save()
            path.unlink()
            cover.unlink()
