"""The site's error pages where Django lets a project choose them: JSON under /api/."""

from django.http import JsonResponse
from django.urls import reverse
from django.views import defaults


def not_found(request, exception):
    if request.path.startswith(reverse("api:api-root")):
        docs = reverse("api:openapi-view")
        return JsonResponse(
            {"detail": f"There is no API address {request.path}; see {docs}."}, status=404
        )
    return defaults.page_not_found(request, exception)
