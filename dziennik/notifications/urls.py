from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.centre, name="centre"),
    path("licznik/", views.count, name="count"),
    path("<int:notification_id>/", views.open_notification, name="open"),
    path("przeczytane/", views.mark_all_read, name="mark_all_read"),
    path("ustawienia/", views.preferences, name="preferences"),
    path("niedostarczone/", views.dead_letters, name="dead_letters"),
    path("sms/", views.sms, name="sms"),
    path("sms/raport/<str:token>/", views.sms_callback, name="sms_callback"),
    path("push/zapisz/", views.push_subscribe, name="push_subscribe"),
    path("push/usun/", views.push_unsubscribe, name="push_unsubscribe"),
]
