"""What each webhook event carries: the same representations the API's read endpoints return."""

from licensing.cases.models import Licence, LicenceApplication, Transaction
from licensing.parties.models import Customer

from ..serializers.cases import ApplicationSerializer, LicenceSerializer
from ..serializers.customers import CustomerSerializer
from ..serializers.transactions import TransactionSerializer


def transaction_data(record: Transaction) -> dict:
    record = Transaction.objects.select_related("customer", "person", "item", "licence").get(pk=record.pk)
    return {"transaction": TransactionSerializer(record).data}


def application_data(application: LicenceApplication, *, status_before: str) -> dict:
    application = LicenceApplication.objects.select_related("transaction", "customer", "person").get(pk=application.pk)
    return {"application": ApplicationSerializer(application).data, "status_before": status_before}


def licence_data(licence: Licence) -> dict:
    licence = Licence.objects.select_related("application", "customer", "person", "item").get(pk=licence.pk)
    return {"licence": LicenceSerializer(licence).data}


def customer_data(customer: Customer) -> dict:
    return {"customer": CustomerSerializer(Customer.objects.get(pk=customer.pk)).data}
