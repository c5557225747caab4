from django.urls import path

from . import views, views_config

app_name = "plans"

urlpatterns = [
    path("", views.mine, name="mine"),
    path("wplata/<int:payment_id>/", views.receipt, name="receipt"),
    path("wplata/<int:payment_id>/potwierdzenie.pdf", views.receipt_pdf, name="receipt_pdf"),
    path("listy/", views.lists, name="lists"),
    path("listy/<int:list_id>/", views.list_detail, name="list"),
    path("raport/", views.report, name="report"),
    path("raport.csv", views.report_csv, name="report_csv"),
    # the principal's configuration (views_config.py)
    path("ustawienia/", views_config.index, name="config"),
    path("ustawienia/szkola/", views_config.school_settings, name="config_settings"),
    path("ustawienia/ulotka/", views_config.leaflet, name="config_leaflet"),
    path("ustawienia/plany/nowy/", views_config.plan_new, name="config_plan_new"),
    path("ustawienia/plany/<int:plan_id>/", views_config.plan_edit, name="config_plan"),
    path(
        "ustawienia/plany/<int:plan_id>/usun/",
        views_config.plan_delete,
        name="config_plan_delete",
    ),
    path(
        "ustawienia/plany/<int:plan_id>/pakiety/nowy/",
        views_config.package_new,
        name="config_package_new",
    ),
    path("ustawienia/pakiety/<int:package_id>/", views_config.package_edit, name="config_package"),
    path(
        "ustawienia/pakiety/<int:package_id>/usun/",
        views_config.package_delete,
        name="config_package_delete",
    ),
    path(
        "ustawienia/pakiety/<int:package_id>/promocje/nowa/",
        views_config.promotion_new,
        name="config_promotion_new",
    ),
    path(
        "ustawienia/promocje/<int:promotion_id>/",
        views_config.promotion_edit,
        name="config_promotion",
    ),
    path(
        "ustawienia/promocje/<int:promotion_id>/usun/",
        views_config.promotion_delete,
        name="config_promotion_delete",
    ),
    path("ustawienia/oferty/nowa/", views_config.offer_new, name="config_offer_new"),
    path("ustawienia/oferty/<int:offer_id>/", views_config.offer_edit, name="config_offer"),
    path(
        "ustawienia/oferty/<int:offer_id>/usun/",
        views_config.offer_delete,
        name="config_offer_delete",
    ),
]
