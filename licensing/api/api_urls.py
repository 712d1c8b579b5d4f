"""The API's own endpoints under /api/v1/.

An identifier is one path segment of any text, so a malformed one reaches the
view and gets a problem document naming it; the filings, deadlines and
screening routes below a resource (e.g. /applications/{id}/filings) are in urls.py.
"""

from django.urls import path, re_path
from drf_spectacular.views import SpectacularAPIView

from .views.access import AccessCheckView
from .views.batches import BatchView
from .views.cases import (
    ApplicationListView,
    ApplicationView,
    ConsigneeStatementListView,
    InformationRequestListView,
    InformationSuppliedView,
    IntentToDenyResponseView,
    LicenceListView,
    LicenceUsageView,
    LicenceView,
)
from .views.customers import CustomerListView, CustomerView, PersonListView, PersonView
from .views.docs import DocsView
from .views.gateway import ModelApiKeyListView, ModelApiKeyRevocationView
from .views.gateway_authorize import authorize
from .views.person_dossier import PersonAddressListView, VisaListView
from .views.policy import RuleChangeListView, RuleChangeView
from .views.prefiling import ApplicationChecklistView
from .views.replay import TransactionReplayView
from .views.transactions import TransactionListView, TransactionView
from .views.webhooks import DeliveryListView, SubscriptionListView, SubscriptionView

app_name = "api"

ANY = r"[^/]+"

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", DocsView.as_view(url_name="api:schema"), name="docs"),
    path("access-check", AccessCheckView.as_view(), name="access-check"),
    # The gateway's check before every model call; the original path follows.
    re_path(r"^gateway/authorize/?(?P<path>.*)$", authorize, name="gateway-authorize"),
    path("customers", CustomerListView.as_view(), name="customers"),
    re_path(rf"^customers/(?P<external_id>{ANY})/persons$", PersonListView.as_view(), name="persons"),
    re_path(
        rf"^customers/(?P<external_id>{ANY})/persons/(?P<person_external_id>{ANY})$",
        PersonView.as_view(),
        name="person",
    ),
    re_path(
        rf"^customers/(?P<external_id>{ANY})/persons/(?P<person_external_id>{ANY})/addresses$",
        PersonAddressListView.as_view(),
        name="person-addresses",
    ),
    re_path(
        rf"^customers/(?P<external_id>{ANY})/persons/(?P<person_external_id>{ANY})/visas$",
        VisaListView.as_view(),
        name="person-visas",
    ),
    re_path(rf"^customers/(?P<external_id>{ANY})$", CustomerView.as_view(), name="customer"),
    re_path(
        rf"^customers/(?P<external_id>{ANY})/model-api-keys$", ModelApiKeyListView.as_view(), name="model-api-keys"
    ),
    re_path(
        rf"^model-api-keys/(?P<key_id>{ANY})/revocation$",
        ModelApiKeyRevocationView.as_view(),
        name="model-api-key-revocation",
    ),
    re_path(rf"^batches/(?P<batch_id>{ANY})$", BatchView.as_view(), name="batch"),
    path("rule-changes", RuleChangeListView.as_view(), name="rule-changes"),
    path("rule-changes/<int:pk>", RuleChangeView.as_view(), name="rule-change"),
    path("transactions", TransactionListView.as_view(), name="transactions"),
    re_path(rf"^transactions/(?P<external_id>{ANY})$", TransactionView.as_view(), name="transaction"),
    re_path(
        rf"^transactions/(?P<external_id>{ANY})/replay/?$", TransactionReplayView.as_view(), name="transaction-replay"
    ),
    path("applications", ApplicationListView.as_view(), name="applications"),
    re_path(rf"^applications/(?P<application_id>{ANY})$", ApplicationView.as_view(), name="application"),
    re_path(
        rf"^applications/(?P<application_id>{ANY})/checklist$",
        ApplicationChecklistView.as_view(),
        name="application-checklist",
    ),
    re_path(
        rf"^applications/(?P<application_id>{ANY})/consignee-statements$",
        ConsigneeStatementListView.as_view(),
        name="application-consignee-statements",
    ),
    re_path(
        rf"^applications/(?P<application_id>{ANY})/information-requests$",
        InformationRequestListView.as_view(),
        name="application-information-requests",
    ),
    re_path(
        rf"^applications/(?P<application_id>{ANY})/information-requests/(?P<request_id>{ANY})/answer$",
        InformationSuppliedView.as_view(),
        name="application-information-answer",
    ),
    re_path(
        rf"^applications/(?P<application_id>{ANY})/intent-to-deny-response$",
        IntentToDenyResponseView.as_view(),
        name="application-intent-to-deny-response",
    ),
    path("licences", LicenceListView.as_view(), name="licences"),
    re_path(rf"^licences/(?P<number>{ANY})/usage$", LicenceUsageView.as_view(), name="licence-usage"),
    re_path(rf"^licences/(?P<number>{ANY})$", LicenceView.as_view(), name="licence"),
    path("webhooks", SubscriptionListView.as_view(), name="webhooks"),
    re_path(
        rf"^webhooks/(?P<subscription_id>{ANY})/deliveries$", DeliveryListView.as_view(), name="webhook-deliveries"
    ),
    re_path(rf"^webhooks/(?P<subscription_id>{ANY})$", SubscriptionView.as_view(), name="webhook"),
]
