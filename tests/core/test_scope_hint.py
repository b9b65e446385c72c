"""SQLite's planner hint on a large scope (core/scope.py `likely`): the same rows, in the same order, by a
condition no index serves; a small scope, or PostgreSQL, keeps the plain condition."""

import pytest
from django.db import connection

from kaifaqu.tickets.models import Ticket
from tests.tickets.factories import ticket

pytestmark = pytest.mark.django_db


def test_a_large_scope_is_the_same_rows_by_an_unindexed_condition(user_of):
    for who, zone in (("yq-etdz", "S147007"), ("province", "G141062"), ("yq-etdz", "S147007")):
        ticket(user_of(who), zone=zone)
    province = user_of("province")
    plain = Ticket.objects.visible_to(province).order_by("-received_at", "-id")
    hinted = Ticket.objects.visible_to(province, share=0.5).order_by("-received_at", "-id")
    assert list(hinted) == list(plain) and len(plain) == 3
    assert ("+((" in str(hinted.query)) is (connection.vendor == "sqlite")
    assert "+((" not in str(Ticket.objects.visible_to(province, share=0.01).query)
    assert list(Ticket.objects.visible_to(user_of("yangquan"), share=0.9)) == list(
        Ticket.objects.visible_to(user_of("yangquan")))
