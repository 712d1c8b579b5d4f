"""Admin classes that ask the role table, not Django's per-model permissions."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError

from licensing.audit.services import record_event
from licensing.workflow.machine import TransitionError

from .permissions import Action, user_can


class RoleAdmin(admin.ModelAdmin):
    view_action: Action = Action.VIEW_CASES
    # None makes the model read-only in the admin: its writes go through services.
    change_action: Action | None = None

    def has_module_permission(self, request):
        return user_can(request.user, self.view_action)

    def has_view_permission(self, request, obj=None):
        return user_can(request.user, self.view_action)

    def has_add_permission(self, request, obj=None):
        return self.change_action is not None and user_can(request.user, self.change_action)

    def has_change_permission(self, request, obj=None):
        return self.change_action is not None and user_can(request.user, self.change_action)

    def has_delete_permission(self, request, obj=None):
        # Records are kept for five years (762.6); nothing is deleted by hand.
        return False

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        model = obj._meta.model_name
        record_event(
            actor=request.user,
            verb=f"{model}.{'updated' if change else 'created'}",
            target=obj,
            after={name: str(form.cleaned_data.get(name)) for name in form.changed_data},
            reason="Edited in the admin.",
        )


def run_service_action(modeladmin, request, queryset, service, label, **kwargs):
    """Apply a service to each selected row, reporting each refusal to the user."""
    done = 0
    for obj in queryset:
        try:
            service(actor=request.user, **{modeladmin.service_argument: obj}, **kwargs)
            done += 1
        except (TransitionError, ValidationError, PermissionDenied) as error:
            text = "; ".join(error.messages) if isinstance(error, ValidationError) else str(error)
            modeladmin.message_user(request, f"{obj}: {text}", messages.ERROR)
    if done:
        modeladmin.message_user(request, f"{label}: {done} done.", messages.SUCCESS)
