from django.conf import settings


def site(request):
    # Roles, topics, outlets and correction notes are written by the newsroom in its own language;
    # pages in another language mark them with it (lang attribute).
    return {"SITE_NAME": settings.SITE_NAME, "SITE_URL": settings.SITE_URL, "NEWSROOM_LANGUAGE": settings.LANGUAGE_CODE}
