"""Factories of the enterprise-services tests: enterprises, service items, tickets received through the service
(so their deadlines follow the SLA rules)."""

from datetime import datetime

import factory
from django.utils import timezone

from kaifaqu.core.credit_code import check_character
from kaifaqu.tickets.models import ServiceItem
from kaifaqu.zones.models import Enterprise, Zone


def valid_code(n: int) -> str:
    body = f"9114030{n:010d}"
    return body + check_character(body)


class EnterpriseFactory(factory.django.DjangoModelFactory):
    """An enterprise of 阳泉经开区 with a valid generated credit code."""

    class Meta:
        model = Enterprise

    name = factory.Sequence(lambda n: f"测试{n}号新材料有限公司")
    credit_code = factory.Sequence(valid_code)
    zone = factory.LazyFunction(lambda: Zone.objects.get(code="S147007"))


class ServiceItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceItem

    zone = factory.LazyFunction(lambda: Zone.objects.get(code="S147007"))
    name = factory.Sequence(lambda n: f"测试审批事项{n}")
    department = "行政审批局"
    limit_days = 5


def beijing(*args) -> datetime:
    """An aware datetime in Beijing time: beijing(2024, 2, 9, 17, 59)."""
    return timezone.make_aware(datetime(*args))


def ticket(user, *, zone="S147007", category="service", text="企业反映用电报装进度慢", received_at=None, **extra):
    """A ticket received through `ticket_create` by `user` (a User)."""
    from kaifaqu.tickets.services import ticket_create

    return ticket_create(user=user, zone=Zone.objects.select_related("org_unit").get(code=zone), category=category,
                         text=text, received_at=received_at or timezone.now(), **extra)
