from django.urls import path
from rest_framework.routers import SimpleRouter

from . import views

router = SimpleRouter()
router.register("webhooks", views.WebhookEndpointViewSet, basename="webhook")

urlpatterns = [
    path("me/", views.WhoAmI.as_view(), name="whoami"),
    path("webhooks/<str:pk>/deliveries/", views.WebhookDeliveryList.as_view(), name="webhook-deliveries"),
    *router.urls,
]
