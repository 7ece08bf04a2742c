"""Tokens at rest: ciphertext in the column, rotation to a new key."""

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from campaigns.models import AdvertiserAccount

pytestmark = pytest.mark.django_db


def raw_token(pk):
    with connection.cursor() as cursor:
        cursor.execute("SELECT access_token FROM campaigns_advertiseraccount WHERE id = %s", [pk])
        return cursor.fetchone()[0]


def test_the_token_column_holds_no_token():
    account = AdvertiserAccount.objects.create(advertiser_id="7001", access_token="secret-token-123")

    assert "secret-token-123" not in raw_token(account.pk)
    assert AdvertiserAccount.objects.get(pk=account.pk).access_token == "secret-token-123"


def test_rotating_keys_re_encrypts_under_the_newest_key(settings):
    old_key = Fernet.generate_key().decode()
    settings.FERNET_KEYS = [old_key]
    account = AdvertiserAccount.objects.create(advertiser_id="7002", access_token="tok-abc")
    new_key = Fernet.generate_key().decode()
    settings.FERNET_KEYS = [new_key, old_key]

    call_command("rotate_token_keys")

    assert Fernet(new_key.encode()).decrypt(raw_token(account.pk).encode()) == b"tok-abc"
    settings.FERNET_KEYS = [new_key]
    assert AdvertiserAccount.objects.get(pk=account.pk).access_token == "tok-abc"


def test_an_empty_token_stays_empty():
    account = AdvertiserAccount.objects.create(advertiser_id="7003")
    assert raw_token(account.pk) == ""
