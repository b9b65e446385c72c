from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "kaifaqu.accounts"
    label = "accounts"
    verbose_name = "用户与机构"
