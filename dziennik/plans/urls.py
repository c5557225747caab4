from django.urls import path

from . import views

app_name = "plans"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("wplata/<int:payment_id>/", views.receipt, name="receipt"),
    path("wplata/<int:payment_id>/potwierdzenie.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("listy/", views.lists, name="lists"),
    path("listy/<int:list_id>/", views.list_detail, name="list"),
    path("raport/", views.report, name="report"),
    path("raport.csv", views.report_csv, name="report_csv"),
]
