from django.core.management.base import BaseCommand

from cms.search import rebuild_index


class Command(BaseCommand):
    help = "重建家长网站的中文搜索索引（文章、家长课堂）。"

    def handle(self, *args, **options):
        count = rebuild_index()
        self.stdout.write(self.style.SUCCESS(f"已为 {count} 个页面重建中文搜索索引。"))
