from datetime import datetime
from decimal import Decimal
from typing import Literal
from uuid import UUID

from ninja import Schema


class CampaignOut(Schema):
    id: int
    campaign_id: str
    name: str
    stage: str
    status: str
    objective: str
    advertiser_id: str
    created_at: datetime

    @staticmethod
    def resolve_advertiser_id(obj):
        return obj.advertiser.advertiser_id


class AdOut(Schema):
    id: int
    ad_id: str
    name: str
    status: str
    adgroup_id: str
    job_id: UUID
    created_at: datetime

    @staticmethod
    def resolve_adgroup_id(obj):
        return obj.adgroup.adgroup_id

    @staticmethod
    def resolve_job_id(obj):
        return obj.job.job_id


class LaunchIn(Schema):
    job_id: UUID
    advertiser_id: str
    stage: Literal["launch", "heat", "hit"] = "launch"
    budget: Decimal
    ad_text: str = ""
    call_to_action: str = "SHOP_NOW"


class StatusIn(Schema):
    status: Literal["ENABLE", "DISABLE"]
