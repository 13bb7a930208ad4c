"""Who may do what, at the coarsest grain: HR or not. Object-level rules (own ballot, own result, a team's
principal) stay with the apps that own those objects; this is what every app asks first."""

from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeAlias

from django.contrib.auth.views import redirect_to_login
from django.http import Http404, HttpRequest, HttpResponse

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser
    from django.contrib.auth.models import AnonymousUser

# What services receive as `actor` and selectors as `viewer`: the request's user (possibly anonymous), or
# None when the system acts on its own (a scheduled task, a data migration, a management command).
Actor: TypeAlias = "AbstractBaseUser | AnonymousUser | None"

# The permission that makes someone HR. A string, not the model: core knows no app, and Django resolves
# the permission from the user's groups and grants, wherever its model lives.
HR_PERMISSION = "assessments.manage_cycles"


def is_hr(user: Actor) -> bool:
    return bool(getattr(user, "is_authenticated", False) and (user.is_superuser or user.has_perm(HR_PERMISSION)))


View = Callable[..., HttpResponse]


def hr_required(view: View) -> View:
    """For HR's pages: a visitor who is not signed in is sent to the login page (as `login_required` does);
    anyone signed in who is not HR gets a 404, so that the page does not even confirm the cycle or case
    exists."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not request.user.is_authenticated:
            return redirect_to_login(request.get_full_path())
        if not is_hr(request.user):
            raise Http404
        return view(request, *args, **kwargs)

    return wrapper
