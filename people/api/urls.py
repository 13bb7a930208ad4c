from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("org-units", views.OrgUnitViewSet, basename="org-unit")
router.register("people", views.PersonViewSet, basename="person")
router.register("teams", views.TeamViewSet, basename="team")
router.register("memberships", views.MembershipViewSet, basename="membership")

urlpatterns = router.urls
