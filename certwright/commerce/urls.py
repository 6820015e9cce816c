from django.urls import path

from certwright.commerce import views

app_name = "commerce"
urlpatterns = [
    path("cart/", views.cart, name="cart"),
    path("cart/add/", views.cart_add, name="cart_add"),
    path("cart/region/", views.cart_region, name="cart_region"),
    path("cart/lines/<int:line_id>/remove/", views.cart_remove, name="cart_remove"),
    path("cart/lines/<int:line_id>/voucher/", views.cart_voucher, name="cart_voucher"),
    path("checkout/", views.checkout, name="checkout"),
    path("orders/", views.order_list, name="order_list"),
    path("orders/<int:order_id>/", views.order_detail, name="order_detail"),
    path(
        "orders/<int:order_id>/invoice.pdf", views.order_invoice, name="order_invoice"
    ),
    path(
        "orders/<int:order_id>/lines/<int:line_id>/cancel/",
        views.line_cancel,
        name="line_cancel",
    ),
    path("study/", views.study_list, name="study_list"),
    path("study/<str:test>/", views.study, name="study"),
    path("vouchers/", views.voucher_list, name="voucher_list"),
    path("vouchers/buy/", views.voucher_buy, name="voucher_buy"),
]
