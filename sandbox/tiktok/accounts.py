"""Ad accounts and the identities their ads are shown under."""

from adloop import clock
from sandbox.models import SbAdvertiser, SbIdentity
from sandbox.services import new_object_id

from .api import MAX_FILTER_IDS, Call, advertiser_of, endpoint, paginate, pick_fields
from .serialize import identity_json

ADVERTISER_FIELDS = [
    "telephone_number", "contacter", "currency", "cellphone_number", "timezone", "advertiser_id", "role", "company",
    "status", "description", "rejection_reason", "address", "name", "language", "industry", "license_no", "email",
    "license_url", "country", "balance", "create_time", "display_timezone", "owner_bc_id", "company_name_editable",
]
DEFAULT_ADVERTISER_FIELDS = [
    "advertiser_id", "name", "currency", "timezone", "display_timezone", "status", "role", "balance", "country", "company",
    "create_time",
]
IDENTITY_TYPES = ["CUSTOMIZED_USER", "AUTH_CODE", "TT_USER", "BC_AUTH_TT"]


def _advertiser_json(advertiser: SbAdvertiser) -> dict:
    return {
        "advertiser_id": advertiser.advertiser_id,
        "name": advertiser.name,
        "company": advertiser.company,
        "currency": advertiser.currency,
        "timezone": advertiser.timezone,
        "display_timezone": advertiser.timezone,
        "status": advertiser.status,
        "role": "ROLE_ADVERTISER",
        "balance": float(advertiser.balance),
        "country": advertiser.country,
        "language": "en",
        "industry": "",
        "description": "",
        "rejection_reason": "",
        "owner_bc_id": "",
        "company_name_editable": False,
        # Unlike campaign times, the advertiser's create_time is unix seconds.
        "create_time": int(advertiser.create_time.timestamp()),
    }


@endpoint("GET", advertiser=False)
def advertiser_info(call: Call) -> dict:
    ids = call.params.id_list("advertiser_ids", required=True, max_items=MAX_FILTER_IDS)
    fields = call.params.strings("fields", choices=ADVERTISER_FIELDS) or DEFAULT_ADVERTISER_FIELDS
    advertisers = [advertiser_of(call, advertiser_id) for advertiser_id in dict.fromkeys(ids)]
    return {"list": [pick_fields(_advertiser_json(a), fields) for a in advertisers]}


@endpoint("POST")
def identity_create(call: Call) -> dict:
    display_name = call.params.text("display_name", required=True, max_len=100)
    image_uri = call.params.text("image_uri", max_len=255)
    identity = SbIdentity.objects.create(
        identity_id=new_object_id(), advertiser=call.advertiser, display_name=display_name, image_uri=image_uri,
        create_time=clock.now(),
    )
    return {"identity_id": identity.identity_id}


@endpoint("GET")
def identity_get(call: Call) -> dict:
    identity_type = call.params.choice("identity_type", IDENTITY_TYPES)
    identities = call.advertiser.identities.order_by("pk")
    if identity_type:
        identities = identities.filter(identity_type=identity_type)
    return paginate(call, identities, identity_json, list_key="identity_list")
