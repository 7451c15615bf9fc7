"""Keep the editors' admin out of search engines, wherever DJANGO_ADMIN_PATH puts it."""

from django.urls import reverse


class AdminNoIndexMiddleware:
    """Answers every request under the admin's path with `X-Robots-Tag: noindex, nofollow`."""

    def __init__(self, get_response):
        self.get_response = get_response
        self.prefix = None

    def __call__(self, request):
        response = self.get_response(request)
        if self.prefix is None:
            self.prefix = reverse("admin:index")
        if request.path.startswith(self.prefix):
            response["X-Robots-Tag"] = "noindex, nofollow"
        return response
