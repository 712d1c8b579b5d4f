from django.contrib import admin
from django.urls import include, path

admin.site.site_header = "ExportDesk administration"
admin.site.site_title = "ExportDesk"

urlpatterns = [
    path("admin/", admin.site.urls),
    path("api/v1/", include("licensing.api.urls")),
    path("account/", include("licensing.accounts.urls")),
    path("", include("licensing.ops.urls")),
    path("", include("licensing.web.urls")),
]
