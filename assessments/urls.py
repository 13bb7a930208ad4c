from django.urls import path

from . import views

app_name = "assessments"

urlpatterns = [
    path("", views.home, name="home"),
    path("ballots/", views.my_ballots, name="my_ballots"),
    path("ballots/<int:pk>/", views.sheet, name="sheet"),
    path("ballots/<int:pk>/submit/", views.submit, name="submit"),
    path("results/", views.my_results, name="my_results"),
    path("b/<str:code>/", views.code_sheet, name="code_sheet"),
    path("b/<str:code>/submit/", views.code_submit, name="code_submit"),
]
