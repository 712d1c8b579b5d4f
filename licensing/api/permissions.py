"""The API asks the same role table as the rest of the product."""

from rest_framework.permissions import BasePermission

from licensing.accounts.permissions import refusal, user_can


class RoleAllows(BasePermission):
    """Allow a request when the caller's role may take the action the view names for its method."""

    message = "Your role does not allow this."

    def has_permission(self, request, view):
        method = request.method.upper()
        if not hasattr(view, method.lower()):
            # Let the view answer 405 rather than pretend the method exists.
            return True
        if method == "OPTIONS":
            return any(user_can(request.user, action) for action in view.actions_by_method.values())
        action = view.actions_by_method.get("GET" if method == "HEAD" else method)
        if action is None:
            return False
        if not user_can(request.user, action):
            # DRF makes a permission per request, so the refusal can name the action.
            self.message = refusal(action)
            return False
        return True
