from django.conf import settings


def adloop(request):
    return {"CHARTJS_URL": settings.CHARTJS_URL}
