from django.contrib.auth import views as auth_views
from django.urls import path

from .views import applications, comments, customers, determinations, home, licences, persons, transactions

urlpatterns = [
    path("", home.home, name="home"),
    path("login/", auth_views.LoginView.as_view(template_name="web/login.html"), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    # Customers
    path("customers/", customers.customer_list, name="customer_list"),
    path("customers/new/", customers.customer_create, name="customer_create"),
    path("customers/<int:pk>/", customers.customer_detail, name="customer_detail"),
    path("customers/<int:pk>/edit/", customers.customer_edit, name="customer_edit"),
    path("customers/<int:pk>/addresses/", customers.customer_address_add, name="customer_address_add"),
    path("customers/<int:pk>/status/", customers.customer_status, name="customer_status"),
    path("customers/<int:pk>/ownership/", customers.customer_ownership, name="customer_ownership"),
    # Persons
    path("persons/", persons.person_list, name="person_list"),
    path("persons/new/", persons.person_create, name="person_create"),
    path("persons/<int:pk>/", persons.person_detail, name="person_detail"),
    path("persons/<int:pk>/edit/", persons.person_edit, name="person_edit"),
    path("persons/<int:pk>/statuses/", persons.person_status_add, name="person_status_add"),
    path("persons/<int:pk>/statuses/<int:record_pk>/end/", persons.person_status_end, name="person_status_end"),
    path("persons/<int:pk>/evidence/", persons.person_evidence_add, name="person_evidence_add"),
    path(
        "persons/<int:pk>/evidence/<int:document_pk>/",
        persons.person_evidence_download,
        name="person_evidence_download",
    ),
    # Determinations
    path("determinations/", determinations.determination_list, name="determination_list"),
    path("determinations/tasks/", determinations.task_list, name="determination_task_list"),
    path("determinations/tasks/assign/", determinations.task_assign, name="determination_task_assign"),
    path(
        "determinations/new/<str:kind>/<int:pk>/",
        determinations.determination_prepare,
        name="determination_prepare",
    ),
    path("determinations/<int:pk>/", determinations.determination_detail, name="determination_detail"),
    path("determinations/<int:pk>/edit/", determinations.determination_edit, name="determination_edit"),
    path(
        "determinations/<int:pk>/do/<str:name>/",
        determinations.determination_transition,
        name="determination_transition",
    ),
    # Transactions
    path("transactions/", transactions.transaction_list, name="transaction_list"),
    path("transactions/new/", transactions.transaction_create, name="transaction_create"),
    path("transactions/<int:pk>/", transactions.transaction_detail, name="transaction_detail"),
    path("transactions/<int:pk>/decide/", transactions.transaction_decide, name="transaction_decide"),
    # Applications
    path("applications/", applications.application_list, name="application_list"),
    path("applications/assign/", applications.application_assign_many, name="application_assign_many"),
    path("applications/<int:pk>/", applications.application_detail, name="application_detail"),
    path("applications/<int:pk>/edit/", applications.application_edit, name="application_edit"),
    path("applications/<int:pk>/assign/", applications.application_assign, name="application_assign"),
    path("applications/<int:pk>/items/", applications.application_item, name="application_item_add"),
    path("applications/<int:pk>/items/<int:line_pk>/", applications.application_item, name="application_item"),
    path(
        "applications/<int:pk>/items/<int:line_pk>/remove/",
        applications.application_item_remove,
        name="application_item_remove",
    ),
    path("applications/<int:pk>/parties/", applications.application_party, name="application_party_add"),
    path("applications/<int:pk>/parties/<int:line_pk>/", applications.application_party, name="application_party"),
    path(
        "applications/<int:pk>/parties/<int:line_pk>/remove/",
        applications.application_party_remove,
        name="application_party_remove",
    ),
    path("applications/<int:pk>/do/<str:name>/", applications.application_transition, name="application_transition"),
    # Licences
    path("licences/", licences.licence_list, name="licence_list"),
    path("licences/<int:pk>/", licences.licence_detail, name="licence_detail"),
    path("licences/<int:pk>/do/<str:name>/", licences.licence_transition, name="licence_transition"),
    path(
        "licences/<int:pk>/conditions/<int:condition_pk>/acknowledge/",
        licences.licence_condition_acknowledge,
        name="licence_condition_acknowledge",
    ),
    # Comments on any case record
    path("comments/<str:kind>/<int:pk>/", comments.comment_add, name="comment_add"),
]
