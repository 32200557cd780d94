from django.conf import settings
from django.core.checks import Tags, Warning, register


@register(Tags.security, deploy=True)
def fetching_private_addresses(app_configs, **kwargs):
    """Importing URLs must not reach into the server's own network in production."""
    if settings.SOURCE_FETCH_ALLOW_PRIVATE:
        return [
            Warning(
                "SOURCE_FETCH_ALLOW_PRIVATE is on: article URLs may point at loopback and internal addresses.",
                hint="Set SOURCE_FETCH_ALLOW_PRIVATE=false outside development and tests.",
                id="sources.W001",
            )
        ]
    return []
