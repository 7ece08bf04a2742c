from django.core.management.base import BaseCommand
from django.db import transaction

from campaigns.models import AdvertiserAccount, PublishingAccount


class Command(BaseCommand):
    help = "Re-encrypt every stored token under the newest key in FERNET_KEYS (run after prepending a key)."

    def handle(self, *args, **options):
        count = 0
        with transaction.atomic():
            for model in (AdvertiserAccount, PublishingAccount):
                # Loading decrypts with any listed key; saving encrypts with the first one.
                for account in model.objects.select_for_update():
                    account.save(update_fields=["access_token", "refresh_token"])
                    count += 1
        self.stdout.write(self.style.SUCCESS(f"re-encrypted the tokens of {count} account(s) under the newest key"))
