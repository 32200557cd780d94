from django.db import connection
from django.db.utils import DatabaseError
from django.http import JsonResponse
from django.utils.cache import add_never_cache_headers

HEALTH_PATH = "/healthz"


def database_status() -> tuple[int, dict]:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError as error:
        return 503, {"status": "error", "database": "unreachable", "detail": error.__class__.__name__}
    return 200, {"status": "ok", "database": "ok"}


def healthz(request):
    """Liveness for load balancers: 200 when the database answers, 503 otherwise."""
    status, body = database_status()
    response = JsonResponse(body, status=status)
    add_never_cache_headers(response)
    return response


class HealthCheckMiddleware:
    """Answer /healthz before host validation and HTTPS redirects.

    Load balancers and container health checks call the app by IP address over plain
    HTTP; they must get the health answer, not a 400 for an unknown host or a redirect.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.path == HEALTH_PATH and request.method in ("GET", "HEAD"):
            return healthz(request)
        return self.get_response(request)
