"""URL routes: pages, sign-in, language switch, admin and the API."""

from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.http import HttpRequest, HttpResponsePermanentRedirect
from django.templatetags.static import static
from django.urls import include, path

from czesg.api.pact import pact_api
from czesg.api.v1 import api
from czesg.portal import opendata, public, views
from czesg.portal.forms import SignInForm

portal_patterns = [
    path("", views.home, name="home"),
    path("me/", views.dashboard, name="dashboard"),
    path("enterprises/<str:uscc>/", views.enterprise_detail, name="enterprise"),
    path("disclosures/<int:pk>/", views.disclosure_detail, name="disclosure"),
    path("disclosures/<int:a>/diff/<int:b>/", views.disclosure_diff, name="diff"),
    path("search/", public.search, name="search"),
    path("compare/", public.compare, name="compare"),
    path("benchmark/", public.benchmark, name="benchmark"),
    path("open-data/", opendata.index, name="open_data"),
    path("open-data/dictionary/", opendata.dictionary, name="dictionary"),
    path("open-data/<int:year>.<str:fmt>", opendata.download, name="open_data_file"),
]



def favicon(request: HttpRequest) -> HttpResponsePermanentRedirect:
    """Send browsers that ask for /favicon.ico to the SVG icon the pages link to."""
    return HttpResponsePermanentRedirect(static("czesg/favicon.svg"))


urlpatterns = [
    path("favicon.ico", favicon),
    path("api/v1/", api.urls),  # first: the busiest routes resolve without walking the rest
    path("pact/", pact_api.urls),
    path("", include((portal_patterns, "portal"))),
    path("", include("czesg.disclosures.urls")),
    path("", include("czesg.access.urls")),
    path("", include("czesg.carbon.urls")),
    path("", include("czesg.supplychain.urls")),
    path("", include("czesg.ratings.urls")),
    path("", include("czesg.records.urls")),
    path("", include("czesg.extraction.urls")),
    path("", include("czesg.assurance.urls")),
    path("", include("czesg.esgreport.urls")),
    path("", include("czesg.finance.urls")),
    path("dashboards/", include("czesg.dashboards.urls")),
    path("dashboards/", include("czesg.parks.urls")),
    path("dashboards/", include("czesg.plan.urls")),
    path("dashboards/", include("czesg.registries.urls")),
    path(
        "accounts/login/",
        auth_views.LoginView.as_view(authentication_form=SignInForm, redirect_authenticated_user=True),
        name="login",
    ),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("", include("czesg.accounts.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]

handler404 = "czesg.portal.errors.not_found"
handler500 = "czesg.portal.errors.server_error"
handler403 = "czesg.portal.errors.forbidden"
