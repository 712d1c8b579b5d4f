from celery import shared_task

from licensing.periodic import periodic_task

from .models import Transaction
from .services.licences import expire_licences
from .services.ownership_rule import redecide_if_the_rule_changed_today, redecide_owned_customers
from .services.transactions import decide_transaction, redecide_held, redecide_pending_for


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def redecide_held_transactions(self, customer_id=None, person_id=None, include_persons=False):
    """Decide again the transactions waiting on one recipient (after a determination or a status change)."""
    return redecide_held(customer_id=customer_id, person_id=person_id, include_persons=include_persons)


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def redecide_pending_for_subjects(self, customers=(), persons=(), parties=()):
    """Decide again the waiting transactions of subjects a screening affected (ids of each kind)."""
    return redecide_pending_for(customers=customers, persons=persons, parties=parties)


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def redecide_owned_customers_transactions(self):
    """Decide again the waiting transactions of customers with owners (after the ownership rule changed)."""
    return redecide_owned_customers()


@shared_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def redecide_transaction(self, transaction_id: int):
    """Decide one transaction again (after its licence was issued)."""
    record = Transaction.objects.filter(pk=transaction_id).first()
    if record is None:
        return None
    return decide_transaction(actor=None, transaction_record=record).decision


@periodic_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def redecide_on_ownership_rule_days(self):
    """On a day the ownership rule starts or stops applying, decide again what waits on customers with owners."""
    return redecide_if_the_rule_changed_today()


@periodic_task(bind=True, autoretry_for=(Exception,), retry_backoff=True, max_retries=5)
def expire_lapsed_licences(self):
    """Mark licences past their validity as expired."""
    return expire_licences()
