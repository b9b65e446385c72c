"""Pages of warnings, supervision orders and messages; included at "alerts/"."""

from django.urls import path

from . import alerts_views as views

app_name = "alerts"
urlpatterns = [
    path("warnings/", views.warnings_view, name="warnings"),
    path("orders/", views.orders_view, name="orders"),
    path("orders/new/", views.order_issue_view, name="order_issue"),
    path("orders/<id:pk>/", views.order_view, name="order"),
    path("orders/<id:pk>/<str:action>/", views.order_action_view, name="order_action"),
    path("notifications/", views.notifications_view, name="notifications"),
    path("notifications/<id:pk>/open/", views.notification_open_view, name="notification_open"),
]
