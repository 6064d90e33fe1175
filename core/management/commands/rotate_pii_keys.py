"""python manage.py rotate_pii_keys

After a new key is put first in PII_ENCRYPTION_KEYS (the old ones kept behind it), re-encrypt
everything under the new key: the registered token columns (core.pii.register_encrypted_column,
e.g. Person.id_number_encrypted) and every file in the encrypted private storage (import
originals, certificate scans; clear files left from before encryption are encrypted). Then the
old keys can be removed. Safe to re-run.
"""

from django.apps import apps
from django.core.management.base import BaseCommand
from django.db import models, transaction

from core import pii
from core.storage import EncryptedStorage, delete_stored_file, reencrypt_stored_file

BATCH = 1000


class Command(BaseCommand):
    help = "用 PII_ENCRYPTION_KEYS 的第一个密钥重新加密已存的身份证号和含个人信息的文件。"

    def handle(self, *args, **options):
        for model, field in pii.ENCRYPTED_COLUMNS:
            count = self._rotate_column(model, field)
            self.stdout.write(f"{model._meta.label}.{field}：重新加密 {count} 条。")
        for model, field in self._encrypted_file_fields():
            count = self._rotate_files(model, field)
            self.stdout.write(f"{model._meta.label}.{field}：重新加密 {count} 个文件。")

    def _rotate_column(self, model, field):
        count = 0
        rows = model._base_manager.exclude(**{field: ""}).only("pk", field).order_by("pk")
        last = 0
        while batch := list(rows.filter(pk__gt=last)[:BATCH]):
            for obj in batch:
                setattr(obj, field, pii.rotate_token(getattr(obj, field)))
            with transaction.atomic():
                model._base_manager.bulk_update(batch, [field])
            count += len(batch)
            last = batch[-1].pk
        return count

    def _encrypted_file_fields(self):
        for model in apps.get_models():
            for field in model._meta.concrete_fields:
                if isinstance(field, models.FileField) and isinstance(field.storage, EncryptedStorage):
                    yield model, field.attname

    def _rotate_files(self, model, field):
        count = 0
        names = model._base_manager.exclude(**{field: ""}).values_list("pk", field)
        for pk, name in names.iterator():
            try:
                new_name = reencrypt_stored_file(name)
            except FileNotFoundError:
                self.stderr.write(f"{model._meta.label} #{pk}：文件 {name} 不存在，已跳过。")
                continue
            # Only if the row still points at that file (a purge may have run meanwhile).
            if model._base_manager.filter(pk=pk, **{field: name}).update(**{field: new_name}):
                delete_stored_file(name)
            else:
                delete_stored_file(new_name)
            count += 1
        return count
