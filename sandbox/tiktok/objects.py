"""Rules shared by campaigns, ad groups and ads: budgets, lookups, status changes, and
the `request_id` idempotency key of the create calls."""

from decimal import Decimal

from django.db.models import Model, QuerySet

from adloop import clock
from sandbox.models import OperationStatus, SbRequestKey

from .api import Call, status_ids
from .errors import bad, missing
from .params import Params

BUDGET_MODES = ["BUDGET_MODE_INFINITE", "BUDGET_MODE_TOTAL", "BUDGET_MODE_DAY", "BUDGET_MODE_DYNAMIC_DAILY_BUDGET"]
STATUS_CHOICES = [OperationStatus.ENABLE.value, OperationStatus.DISABLE.value, OperationStatus.DELETE.value]
CREATE_STATUS_CHOICES = [OperationStatus.ENABLE.value, OperationStatus.DISABLE.value]


def budget_of(params: Params, *, minimum: Decimal, required: bool = True) -> tuple[str, Decimal | None]:
    """budget_mode and budget; the budget is required (and at least `minimum`) unless the
    mode is INFINITE, in which case it is dropped."""
    mode = params.choice("budget_mode", BUDGET_MODES, required=required)
    budget = params.decimal("budget")
    if not mode or mode == "BUDGET_MODE_INFINITE":
        return mode, None
    if budget is None:
        raise bad(f"{params.name('budget')}: required when budget_mode is {mode}")
    if budget < minimum:
        raise bad(f"{params.name('budget')}: must be ≥ {minimum} for {mode}")
    return mode, budget.quantize(Decimal("0.01"))


def one(call: Call, queryset: QuerySet, id_field: str, kind: str, object_id: str | None, *, alive: bool = True) -> Model:
    """The advertiser's object with this id: 40007 when it has none, 40002 when deleted."""
    found = queryset.filter(advertiser=call.advertiser, **{id_field: object_id}).first() if object_id else None
    if found is None:
        raise missing(kind, object_id or "")
    if alive and found.operation_status == OperationStatus.DELETE:
        raise bad(f"The {kind} {object_id} has been deleted.")
    return found


def status_change(call: Call, queryset: QuerySet, id_field: str, kind: str) -> tuple[list[str], str, list[Model]]:
    """Set operation_status on 1–20 objects, all or nothing; a deleted object stays deleted."""
    ids = status_ids(call.params, f"{id_field}s")
    status = call.params.choice("operation_status", STATUS_CHOICES, required=True)
    found = {getattr(obj, id_field): obj for obj in queryset.filter(advertiser=call.advertiser, **{f"{id_field}__in": ids})}
    for object_id in ids:
        if object_id not in found:
            raise missing(kind, object_id)
        if found[object_id].operation_status == OperationStatus.DELETE:
            raise bad(f"The {kind} {object_id} has been deleted; its status cannot be changed.")
    objects = [found[object_id] for object_id in ids]
    queryset.filter(pk__in=[obj.pk for obj in objects]).update(operation_status=status, modify_time=clock.now())
    return ids, status, objects


def cascade_delete(queryset: QuerySet) -> None:
    """Deleting a parent deletes what it holds, so nothing under it can deliver again."""
    queryset.exclude(operation_status=OperationStatus.DELETE).update(operation_status=OperationStatus.DELETE, modify_time=clock.now())


def replayed(call: Call, kind: str) -> tuple[str, str | None]:
    """The create call's request_id, and the id of the object an earlier call with the
    same key created (None on a first call)."""
    request_id = call.params.request_id()
    if not request_id:
        return "", None
    key = SbRequestKey.objects.filter(advertiser=call.advertiser, kind=kind, request_id=request_id).first()
    return request_id, key.object_id if key else None


def remember(call: Call, kind: str, request_id: str, object_id: str) -> None:
    # Two racing calls with one key both miss `replayed`; the unique constraint then fails
    # the second with HTTP 500, which clients retry, and the retry is a replay.
    if request_id:
        SbRequestKey.objects.create(advertiser=call.advertiser, kind=kind, request_id=request_id, object_id=object_id)


def patched(current: dict, params: Params, *, fixed: tuple[str, ...], ignored: tuple[str, ...] = ()) -> Params:
    """The current create body with the update's keys laid over it, for re-validation;
    fields that cannot change after creation are refused."""
    patch = {key: value for key, value in params.data.items() if key not in ("advertiser_id", *ignored)}
    for key in fixed:
        if key in patch and patch[key] != current.get(key):
            raise bad(f"{key}: cannot be changed after creation")
    return Params({**current, **patch}, encoded=False)
