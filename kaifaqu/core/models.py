"""Shared models: the change log (变更记录)."""

import orjson
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils.translation import gettext_lazy as _

_ENCODER = DjangoJSONEncoder()  # what a snapshot holds is JSON-ready already; anything else is written as Django does


class SnapshotField(models.TextField):
    """A JSON snapshot (a dict of field values) kept as JSON text. Snapshots are written with every change and only
    ever read whole, one object's history at a time — never searched by content — so PostgreSQL's jsonb, whose
    parse on write was two thirds of the cost of logging a 100,000-row import, buys nothing here."""

    # orjson: a 100,000-project import writes 145,000 snapshots, and the standard library's encoder took a second.
    def from_db_value(self, value, expression, connection):
        return None if value is None else orjson.loads(value)

    def to_python(self, value):
        return orjson.loads(value) if isinstance(value, str) else value

    def get_prep_value(self, value):  # text is taken as JSON already (`changelog.snapshot_texts`)
        if value is None or isinstance(value, str):
            return value
        return orjson.dumps(value, default=_ENCODER.default).decode()

    def value_to_string(self, obj):
        return self.get_prep_value(self.value_from_object(obj)) or ""


class ObjectChangeQuerySet(models.QuerySet):
    def for_object(self, obj: models.Model):
        ct = ContentType.objects.get_for_model(obj, for_concrete_model=True)
        return self.filter(content_type=ct, object_id=str(obj.pk)).select_related("user")


class ObjectChange(models.Model):
    """One recorded change of a domain object: who, when, in which request, before → after."""

    ACTIONS = [("create", _("新增")), ("update", _("修改")), ("delete", _("删除"))]

    # The log records who acted (the account name is kept as text too) and never blocks or slows the change it
    # records: no database-level foreign keys, whose checks at commit were a fifth of a 100,000-row import;
    # SET_NULL / PROTECT still apply through the ORM.
    time = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), null=True, blank=True, on_delete=models.SET_NULL,
        db_constraint=False,
    )
    user_name = models.CharField(_("操作人账号"), max_length=150)
    request_id = models.UUIDField(_("请求编号"))  # groups one request's changes; never searched, so not indexed
    action = models.CharField(_("操作"), max_length=10, choices=ACTIONS)
    content_type = models.ForeignKey(ContentType, verbose_name=_("对象类型"), on_delete=models.PROTECT,
                                     db_constraint=False, db_index=False)  # (content_type, object_id) indexes it
    object_id = models.CharField(_("对象编号"), max_length=64)
    object_repr = models.CharField(_("对象"), max_length=200)
    prechange_data = SnapshotField(_("变更前"), null=True, blank=True)
    postchange_data = SnapshotField(_("变更后"), null=True, blank=True)

    objects = ObjectChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("变更记录")
        verbose_name_plural = _("变更记录")
        ordering = ["-time", "-id"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.get_action_display()} {self.object_repr}"

    # Bookkeeping fields that change with every save and say nothing to a reader.
    QUIET_FIELDS = {"updated_at", "version", "pinyin_initials"}

    def diff(self) -> list[tuple[str, object, object]]:
        """(field, before, after) for every field whose value changed, labelled with the field's verbose name and
        with choice values shown by their labels (签约, not "signed"). A phone number of a record that masks it
        (`core.privacy`) is shown masked: whoever reads the history of a record need not work it."""
        before, after = self.prechange_data or {}, self.postchange_data or {}
        model = self.content_type.model_class()
        fields = {f.attname: f for f in model._meta.concrete_fields} if model else {}
        masked = {"phone"} if hasattr(model, "phone_visible_to") else set()
        keys = [k for k in {**before, **after} if before.get(k) != after.get(k) and k not in self.QUIET_FIELDS]
        return [(str(fields[k].verbose_name) if k in fields else k, _shown(fields.get(k), before.get(k), k in masked),
                 _shown(fields.get(k), after.get(k), k in masked)) for k in keys]


def _shown(field, value, masked: bool = False):
    if masked and value:
        from .privacy import mask_phone

        return mask_phone(str(value))
    if field is not None and field.choices and value is not None:
        return dict(field.flatchoices).get(value, value)
    return value


class Sequence(models.Model):
    """A named counter for stable, human-readable codes (e.g. project codes XM00000001)."""

    name = models.CharField(_("名称"), max_length=40, unique=True)
    value = models.BigIntegerField(_("当前值"), default=0)

    class Meta:
        verbose_name = _("编号序列")
        verbose_name_plural = _("编号序列")

    def __str__(self) -> str:
        return f"{self.name}={self.value}"

    @classmethod
    def take(cls, name: str, count: int = 1) -> range:
        """Reserve `count` consecutive numbers; call inside a transaction."""
        seq, _ = cls.objects.select_for_update().get_or_create(name=name)
        start = seq.value + 1
        seq.value += count
        seq.save(update_fields=["value"])
        return range(start, start + count)
