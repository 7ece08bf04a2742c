"""The one root NinjaAPI. Each app mounts its router; integration errors map to HTTP once."""

from http import HTTPStatus

from django.contrib.admin.views.decorators import staff_member_required
from ninja import NinjaAPI
from ninja.security import django_auth

from campaigns.errors import CampaignError
from creatives.errors import CreativeError
from integrations.tiktok_ads.errors import ApiError, AuthError, RateLimited, Transient

api = NinjaAPI(
    title="adloop API",
    version="1",
    urls_namespace="api",
    auth=django_auth,
    docs_decorator=staff_member_required,
)

api.add_router("/campaigns/", "campaigns.api.router")
api.add_router("/creatives/", "creatives.api.router")


@api.exception_handler(RateLimited)
def rate_limited(request, exc: RateLimited):
    response = api.create_response(
        request, {"detail": str(exc), "code": exc.code, "request_id": exc.request_id}, status=HTTPStatus.SERVICE_UNAVAILABLE
    )
    response["Retry-After"] = "60"
    return response


@api.exception_handler(Transient)
def transient(request, exc: Transient):
    return api.create_response(
        request, {"detail": str(exc), "code": exc.code, "request_id": exc.request_id}, status=HTTPStatus.BAD_GATEWAY
    )


@api.exception_handler(AuthError)
def auth_error(request, exc: AuthError):
    return api.create_response(
        request, {"detail": str(exc), "code": exc.code, "request_id": exc.request_id}, status=HTTPStatus.FAILED_DEPENDENCY
    )


@api.exception_handler(ApiError)
def api_error(request, exc: ApiError):
    return api.create_response(
        request, {"detail": str(exc), "code": exc.code, "request_id": exc.request_id}, status=HTTPStatus.UNPROCESSABLE_ENTITY
    )


@api.exception_handler(CampaignError)
def campaign_error(request, exc: CampaignError):
    return api.create_response(request, {"detail": str(exc)}, status=HTTPStatus.UNPROCESSABLE_ENTITY)


@api.exception_handler(CreativeError)
def creative_error(request, exc: CreativeError):
    return api.create_response(request, {"detail": str(exc)}, status=HTTPStatus.UNPROCESSABLE_ENTITY)
