from django.http import HttpResponse


def oauth_start(request):
    return HttpResponse("todo")


def oauth_callback(request):
    return HttpResponse("todo")
