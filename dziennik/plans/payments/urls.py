from django.urls import path

from . import views

app_name = "payments"

urlpatterns = [
    path("", views.start, name="start"),
    path("zakup/<int:purchase_id>/", views.purchase_status, name="purchase"),
    path("zakup/<int:purchase_id>/zaplac/", views.pay_online, name="pay_online"),
    path("zakup/<int:purchase_id>/przekaz.pdf", views.slip, name="slip"),
    path("operator/powiadomienie/", views.operator_notify, name="operator_notify"),
    path("konto-bankowe/", views.bank_account, name="bank_account"),
    path("wyciagi/", views.statements_page, name="statements"),
    path("wyciagi/do-wyjasnienia/", views.review_page, name="review"),
    path("wyciagi/linia/<int:line_id>/", views.review_decide, name="review_decide"),
    path("online/", views.orders_page, name="orders"),
    path("online/<int:order_id>/zwrot/", views.order_refund, name="order_refund"),
]
